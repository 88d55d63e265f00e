package dev.tether.session.spi;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * The outcome of a write ({@link SessionStore#create}, {@link SessionStore#save}, {@link
 * SessionStore#rotateId}).
 *
 * @param outcome what happened
 * @param version the session's version after the write when {@code outcome} is {@link
 *     Outcome#SAVED}, else 0
 * @param conflicts attribute names that another writer had changed after the delta's base version
 *     and that this write overwrote (last writer wins per attribute); empty unless {@code SAVED}
 */
public record SaveResult(Outcome outcome, long version, Set<String> conflicts) {

  /** What a write did. */
  public enum Outcome {
    /** Written; {@link #version()} is the new version. */
    SAVED,
    /**
     * Nothing written: the session does not exist, was deleted (tombstone), rotated away or is
     * expired. A save never resurrects a session.
     */
    GONE,
    /** Nothing written: the id to create or rotate to is in use or tombstoned. */
    ID_TAKEN
  }

  private static final SaveResult GONE_RESULT = new SaveResult(Outcome.GONE, 0, Set.of());
  private static final SaveResult TAKEN_RESULT = new SaveResult(Outcome.ID_TAKEN, 0, Set.of());

  public SaveResult {
    requireNonNull(outcome, "outcome");
    conflicts = Set.copyOf(conflicts);
    if (outcome == Outcome.SAVED && version < 1) {
      throw new IllegalArgumentException("a saved write has a version of at least 1");
    }
    if (outcome != Outcome.SAVED && (version != 0 || !conflicts.isEmpty())) {
      throw new IllegalArgumentException(outcome + " carries no version and no conflicts");
    }
  }

  /** Written at {@code version} without conflicts. */
  public static SaveResult saved(long version) {
    return new SaveResult(Outcome.SAVED, version, Set.of());
  }

  /** Written at {@code version}, overwriting {@code conflicts}. */
  public static SaveResult saved(long version, Set<String> conflicts) {
    return new SaveResult(Outcome.SAVED, version, conflicts);
  }

  /** The session is gone; nothing written. */
  public static SaveResult gone() {
    return GONE_RESULT;
  }

  /** The target id is taken; nothing written. */
  public static SaveResult idTaken() {
    return TAKEN_RESULT;
  }

  /** Whether the write happened. */
  public boolean isSaved() {
    return outcome == Outcome.SAVED;
  }
}
