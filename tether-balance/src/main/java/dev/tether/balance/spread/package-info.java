/**
 * Keyless balancing: round-robin, weighted round-robin, least-connections, least-response-time,
 * power-of-two choices and random, all with optional slow start; package-private implementations,
 * reach them through {@code Balancers} ({@link dev.tether.balance.spread.SpreadBalancers} registers
 * them).
 */
package dev.tether.balance.spread;
