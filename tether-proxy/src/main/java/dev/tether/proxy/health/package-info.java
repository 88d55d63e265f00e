/** Active HTTP health checks: probes each server of a pool and marks it down or up. */
package dev.tether.proxy.health;
