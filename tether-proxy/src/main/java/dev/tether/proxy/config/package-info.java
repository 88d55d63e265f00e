/**
 * The balancer's configuration as immutable records ({@link dev.tether.proxy.config.TetherConfig}
 * and the records it holds), the problems a load reports, and the value rules records and parsing
 * share (names, durations, host names). Reading the YAML into these records is {@code
 * dev.tether.proxy.config.yaml}.
 */
package dev.tether.proxy.config;
