package dev.tether.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * CSRF synchronizer tokens (OWASP): one per session, 256 random bits, stored in the session as a
 * reserved attribute and the same for every request of the session. The servlet layer's {@code
 * CsrfFilter} checks them on state-changing requests.
 *
 * <pre>{@code
 * String token = sessions.csrf().token(session);          // into the form or a header
 * boolean ok = sessions.csrf().verify(session, presented);
 * }</pre>
 *
 * <p>Thread-safe; from {@link SessionManager#csrf()}.
 */
public final class CsrfTokens {

  static final String ATTRIBUTE = ActiveSession.RESERVED_PREFIX + "csrf";

  private final SessionIdGenerator ids;

  CsrfTokens(SessionIdGenerator ids) {
    this.ids = ids;
  }

  /** The session's token, created on first use. */
  public String token(ActiveSession s) {
    Object token = s.attribute(ATTRIBUTE);
    if (token instanceof String t) {
      return t;
    }
    String fresh = ids.next();
    s.setInternal(ATTRIBUTE, fresh);
    return fresh;
  }

  /** Whether {@code presented} is the session's token (constant-time comparison). */
  public boolean verify(ActiveSession s, String presented) {
    if (presented == null || !(s.attribute(ATTRIBUTE) instanceof String expected)) {
      return false;
    }
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }
}
