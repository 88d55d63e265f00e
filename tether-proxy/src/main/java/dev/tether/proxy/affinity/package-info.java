/**
 * Affinity at the HTTP level: policies built from the configuration, response-head hooks (cookies,
 * learning, the debug header), JWT claim keys and shared stick tables.
 */
package dev.tether.proxy.affinity;
