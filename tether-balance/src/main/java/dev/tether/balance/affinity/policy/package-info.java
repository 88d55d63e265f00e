/**
 * The affinity policies, one per mode (signed cookie, application cookie, keyed: header, claim or
 * client prefix), package-private behind the factory {@link
 * dev.tether.balance.affinity.policy.AffinityPolicies}; {@code Assigner} places a new session under
 * the bounded-load rule and {@code BoundResolution} settles a request whose server is gone or
 * draining.
 */
package dev.tether.balance.affinity.policy;
