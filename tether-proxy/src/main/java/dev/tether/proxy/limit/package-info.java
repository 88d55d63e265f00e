/**
 * Protection of the data plane from abusive clients: connection limits, slow-client rates, limit
 * counters and hidden version headers.
 */
package dev.tether.proxy.limit;
