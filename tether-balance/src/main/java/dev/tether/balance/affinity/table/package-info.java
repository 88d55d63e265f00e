/**
 * Where a key-based affinity mode remembers which server a key is bound to: the {@link
 * dev.tether.balance.affinity.table.StickTable} interface with its in-process table, and the
 * per-server count of live sessions ({@link dev.tether.balance.affinity.table.SessionTracker}).
 */
package dev.tether.balance.affinity.table;
