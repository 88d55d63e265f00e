/**
 * Sticky sessions without Netty: signed affinity tokens with a rotating key ring, the per-mode
 * affinity policies, stick tables and the per-server count of live sessions.
 */
package dev.tether.balance.affinity;
