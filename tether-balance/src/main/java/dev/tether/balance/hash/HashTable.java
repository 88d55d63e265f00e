package dev.tether.balance.hash;

/**
 * A circular table of slots, each owned by one member (an index into the picker's name-sorted
 * member array). A key starts at {@link #start} and, when bounded loads or exclusion turn it away,
 * walks on to the following slots. Immutable.
 */
sealed interface HashTable permits RingTable, MaglevTable {

  /** Number of slots. */
  int slots();

  /** The slot where a key with hash {@code hash} starts. */
  int start(long hash);

  /** The member index owning {@code slot}. */
  int owner(int slot);
}
