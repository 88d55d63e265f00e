/**
 * What virtual users do and what they expect back: the shop flow, a static page, YAML scenario
 * files.
 */
package dev.tether.bench.load.scenario;
