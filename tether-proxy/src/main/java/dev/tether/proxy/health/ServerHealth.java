package dev.tether.proxy.health;

/**
 * The rise/fall counter of one server, as HAProxy keeps it: {@code fall} consecutive failed probes
 * take an up server down, {@code rise} consecutive passes bring a down server back; a result that
 * agrees with the current state resets the opposite count. Not thread-safe: one server's probes run
 * one after another.
 */
final class ServerHealth {

  /** What a probe result changed. */
  enum Change {
    NONE,
    WENT_DOWN,
    WENT_UP
  }

  private final int rise;
  private final int fall;
  private boolean up;
  private int streak;

  /**
   * @param up whether the server counts as up now
   * @param rise consecutive passes that bring a down server up, at least 1
   * @param fall consecutive failures that take an up server down, at least 1
   */
  ServerHealth(boolean up, int rise, int fall) {
    if (rise < 1 || fall < 1) {
      throw new IllegalArgumentException(
          "rise " + rise + " and fall " + fall + " must be at least 1");
    }
    this.up = up;
    this.rise = rise;
    this.fall = fall;
  }

  /** Records one probe result. */
  Change record(boolean passed) {
    if (passed == up) {
      streak = 0;
      return Change.NONE;
    }
    streak++;
    if (up && streak >= fall) {
      up = false;
      streak = 0;
      return Change.WENT_DOWN;
    }
    if (!up && streak >= rise) {
      up = true;
      streak = 0;
      return Change.WENT_UP;
    }
    return Change.NONE;
  }

  boolean up() {
    return up;
  }
}
