/**
 * The session-aware load generator: virtual users over a non-blocking Netty client, paced and
 * measured.
 */
package dev.tether.bench.load;
