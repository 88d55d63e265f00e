package dev.tether.session.spring.security;

import dev.tether.session.SessionManager;
import java.util.Date;
import org.springframework.security.core.session.SessionInformation;

/**
 * A session as Spring Security's concurrency control sees it. {@link #expireNow()} ends the session
 * in the store, so it is gone on every instance at once: the next request that presents its cookie,
 * wherever it lands, has no session and so no login.
 */
final class TetherSessionInformation extends SessionInformation {

  private static final long serialVersionUID = 1L;

  private final transient SessionManager manager;
  private final String principalName;

  TetherSessionInformation(
      Object principal,
      String principalName,
      String sessionId,
      Date lastRequest,
      SessionManager manager) {
    super(principal, sessionId, lastRequest);
    this.principalName = principalName;
    this.manager = manager;
  }

  @Override
  public void expireNow() {
    super.expireNow();
    manager.principals().invalidate(principalName, manager.digest(getSessionId()));
  }
}
