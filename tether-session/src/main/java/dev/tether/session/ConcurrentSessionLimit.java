package dev.tether.session;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.SessionRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How many live sessions one principal may hold at once (OWASP ASVS 7.1.2, R10), and what a login
 * beyond the limit does: {@link Action#EVICT_LEAST_RECENT} ends the principal's least recently used
 * sessions to make room (Spring Security's default), {@link Action#REJECT} refuses the login with
 * {@link SessionLimitExceededException} and leaves the existing sessions alone.
 *
 * <pre>{@code
 * SessionManager.builder(store).concurrentSessions(new ConcurrentSessionLimit(3, Action.EVICT_LEAST_RECENT))
 * }</pre>
 *
 * <p>Design note: the limit is checked at login against the store's principal index. Two logins of
 * one principal racing on two nodes may both pass and leave {@code max + 1} sessions until the next
 * login; a strict cluster-wide count would need a lock per principal in every store, which the
 * store SPI deliberately does not have.
 *
 * @param max the most sessions one principal may hold, at least 1
 * @param onLimit what a login beyond the limit does
 */
public record ConcurrentSessionLimit(int max, Action onLimit) {

  /** What a login does when the principal already holds {@link #max()} sessions. */
  public enum Action {
    /** End the least recently used sessions so that the new one fits. */
    EVICT_LEAST_RECENT,
    /** Refuse the login; the existing sessions stay. */
    REJECT
  }

  public ConcurrentSessionLimit {
    requireNonNull(onLimit, "onLimit");
    if (max < 1) {
      throw new IllegalArgumentException("concurrent session limit " + max + " must be at least 1");
    }
  }

  /**
   * The sessions to end so that one more fits, least recently used first.
   *
   * @param others the principal's other live sessions (not the one logging in)
   * @throws SessionLimitExceededException when the limit is reached and the action is {@link
   *     Action#REJECT}
   */
  List<SessionRecord> toEvict(String principal, List<SessionRecord> others) {
    int excess = others.size() - (max - 1);
    if (excess <= 0) {
      return List.of();
    }
    if (onLimit == Action.REJECT) {
      throw new SessionLimitExceededException(principal, max);
    }
    List<SessionRecord> byAge = new ArrayList<>(others);
    byAge.sort(
        Comparator.comparing(SessionRecord::lastAccessedAt)
            .thenComparing(SessionRecord::createdAt));
    return List.copyOf(byAge.subList(0, excess));
  }
}
