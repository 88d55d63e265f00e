/**
 * The Redis session store (standalone, Sentinel or Cluster through Lettuce): one Lua script call
 * per write, logical expiry by the injected clock, and a bucketed expiry and principal index.
 */
package dev.tether.session.redis;
