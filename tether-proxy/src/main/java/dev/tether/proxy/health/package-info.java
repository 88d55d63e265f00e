/**
 * Active health checks (TCP connects and HTTP probes with agent headers) that mark each server of a
 * pool up, down or draining.
 */
package dev.tether.proxy.health;
