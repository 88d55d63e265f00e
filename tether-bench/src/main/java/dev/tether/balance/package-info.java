/** JMH benchmarks of the balancing algorithms, in the package of the code they measure. */
package dev.tether.balance;
