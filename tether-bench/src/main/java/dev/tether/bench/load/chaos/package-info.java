/** The chaos schedule: instance kills, drains and additions sent to the admin API during a run. */
package dev.tether.bench.load.chaos;
