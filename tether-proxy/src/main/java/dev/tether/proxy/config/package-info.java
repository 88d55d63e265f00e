/**
 * The balancer's YAML configuration: immutable records, the {@link
 * dev.tether.proxy.config.ConfigLoader} that reads them with real line numbers, and validation
 * that reports every problem at once.
 */
package dev.tether.proxy.config;
