/** The balancer's own use of Redis: one lazily connected, self-reconnecting link per feature. */
package dev.tether.proxy.redis;
