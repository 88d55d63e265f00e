package dev.tether.balance.affinity.token;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What an affinity cookie says, once its MAC has been verified: a random session number (so live
 * sessions can be counted), the server's name (never its address), when the token was first issued
 * and last refreshed, in epoch seconds, the binding epoch, and the session's owners.
 *
 * @param epoch counts the times the session was re-pinned to another server (0 when first bound);
 *     with the session number it names one binding, which the app instance's near cache compares
 *     ({@code Tether-Binding})
 * @param owners the app instances that hold the session in their own memory, primary first, as the
 *     last response said ({@code Tether-Session-Owners}); empty when the store has none
 */
public record AffinityToken(
    int session, String server, long issuedAt, long lastSeen, int epoch, List<String> owners) {

  public AffinityToken {
    requireNonNull(server, "server");
    owners = List.copyOf(owners);
  }

  /** A token bound for the first time: epoch 0, no owners. */
  public AffinityToken(int session, String server, long issuedAt, long lastSeen) {
    this(session, server, issuedAt, lastSeen, 0, List.of());
  }

  /** The same session, refreshed at {@code now}. */
  public AffinityToken seenAt(long now) {
    return new AffinityToken(session, server, issuedAt, now, epoch, owners);
  }

  /** The same session re-pinned to {@code to} at {@code now}: a new binding epoch, owners kept. */
  public AffinityToken movedTo(String to, long now) {
    return new AffinityToken(session, to, issuedAt, now, epoch + 1, owners);
  }

  /** The same binding with {@code newOwners}. */
  public AffinityToken withOwners(List<String> newOwners) {
    return new AffinityToken(session, server, issuedAt, lastSeen, epoch, newOwners);
  }

  /** A key identifying the session across refreshes: issue time and session number. */
  public long sessionKey() {
    return issuedAt << 32 | (session & 0xFFFFFFFFL);
  }

  /**
   * The binding this token names, as the {@code Tether-Binding} request header carries it: {@code
   * server; epoch=n}, where {@code n} joins the random session number and the epoch so that two
   * bindings of the same server (a session bound there, moved away, and back; or a new session)
   * never look alike.
   */
  public String binding() {
    return server
        + "; epoch="
        + Long.toUnsignedString((long) session << 32 | (epoch & 0xFFFFFFFFL));
  }
}
