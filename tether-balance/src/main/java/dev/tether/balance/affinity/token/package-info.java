/**
 * Affinity tokens: the signed value of an affinity cookie ({@link
 * dev.tether.balance.affinity.token.TokenCodec}), the rotating key ring that signs it, its
 * lifetimes, and the session owners an app names.
 */
package dev.tether.balance.affinity.token;
