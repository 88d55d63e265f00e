/** Implementations of the balancing algorithms; reach them through {@code Balancers}. */
package dev.tether.balance.internal;
