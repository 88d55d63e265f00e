package dev.tether.balance.hash;

/**
 * The options of a hash algorithm, read once when the configuration is loaded.
 *
 * @param maglev {@code hash-method: maglev} (else a consistent-hash ring)
 * @param keyName the header or cookie to hash ({@code hash-name}); {@code null} for ip-hash and
 *     uri-hash
 * @param query whether uri-hash includes the query string ({@code hash-query})
 * @param balanceFactor the bounded-load factor ({@code balance-factor}, above 1.0); 0 when off
 * @param virtualNodes ring points per weight unit ({@code virtual-nodes}); unused by Maglev
 */
record HashOptions(
    boolean maglev, String keyName, boolean query, double balanceFactor, int virtualNodes) {}
