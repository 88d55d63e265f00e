/**
 * OpenTelemetry tracing of the balancer's exchanges and W3C Trace Context propagation to backends.
 */
package dev.tether.proxy.trace;
