/**
 * Sticky sessions without Netty, the contract: the {@link
 * dev.tether.balance.affinity.AffinityPolicy} interface, the decision and outcome it returns, its
 * rules (balance factor, drain), cookie attributes and counters. The policies themselves are in
 * {@code affinity.policy} behind {@link dev.tether.balance.affinity.policy.AffinityPolicies};
 * tokens are in {@code affinity.token}, stick tables and live-session counts in {@code
 * affinity.table}.
 */
package dev.tether.balance.affinity;
