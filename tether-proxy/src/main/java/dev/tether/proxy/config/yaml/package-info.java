/**
 * Reading the YAML configuration into the records of {@code dev.tether.proxy.config}: {@link
 * dev.tether.proxy.config.yaml.ConfigLoader} (the entry point) and one parser per section ({@code
 * TetherConfigParser}, {@code PoolParser}, {@code AffinityParser} and the rest), over a {@code
 * YamlSection} that reports every bad value at its line into a {@code ProblemCollector}, so that
 * one load reports every error.
 */
package dev.tether.proxy.config.yaml;
