/** Micrometer metrics for sessions: lifecycle counters, lifespan, store latency, near cache. */
package dev.tether.session.metrics;
