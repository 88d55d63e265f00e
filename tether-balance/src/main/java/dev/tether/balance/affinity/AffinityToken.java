package dev.tether.balance.affinity;

import static java.util.Objects.requireNonNull;

/**
 * What an affinity cookie says, once its MAC has been verified: a random session number (so live
 * sessions can be counted), the server's name (never its address), and when the token was first
 * issued and last refreshed, in epoch seconds.
 */
public record AffinityToken(int session, String server, long issuedAt, long lastSeen) {

  public AffinityToken {
    requireNonNull(server, "server");
  }

  /** The same session, refreshed at {@code now}. */
  public AffinityToken seenAt(long now) {
    return new AffinityToken(session, server, issuedAt, now);
  }

  /** A key identifying the session across refreshes: issue time and session number. */
  public long sessionKey() {
    return issuedAt << 32 | (session & 0xFFFFFFFFL);
  }
}
