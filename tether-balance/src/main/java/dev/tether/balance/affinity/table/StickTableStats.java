package dev.tether.balance.affinity.table;

/**
 * A stick table's size and counters: lookups that found a binding, did not, and entries evicted.
 */
public record StickTableStats(long size, long hits, long misses, long evictions) {}
