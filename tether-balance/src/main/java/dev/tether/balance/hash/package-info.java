/**
 * Hash-based balancing (ip-hash, uri-hash, header-hash, cookie-hash) on a consistent-hash ring or a
 * Maglev table, with optional bounded loads; reach it through {@code Balancers}.
 */
package dev.tether.balance.hash;
