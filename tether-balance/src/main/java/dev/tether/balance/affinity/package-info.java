/**
 * Sticky sessions without Netty: the {@link dev.tether.balance.affinity.AffinityPolicy} interface,
 * its factory {@link dev.tether.balance.affinity.AffinityPolicies} and the package-private per-mode
 * policies (cookie, application cookie, keyed); tokens are in {@code affinity.token}, stick tables
 * and live-session counts in {@code affinity.table}.
 */
package dev.tether.balance.affinity;
