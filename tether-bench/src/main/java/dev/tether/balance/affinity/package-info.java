/** JMH benchmarks of the affinity decision: token verification and binding lookup. */
package dev.tether.balance.affinity;
