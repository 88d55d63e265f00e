package dev.tether.session.spring.security;

import dev.tether.session.ActiveSession;
import dev.tether.session.servlet.TetherSessionFilter;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Keeps the Tether session's principal, and so the store's principal index, in step with the {@code
 * SecurityContext} Spring Security saves in the session: set at login, cleared when the context is
 * removed. So a user's sessions can be listed and ended on every instance (the {@code
 * tethersessions} endpoint, {@code SessionManager.invalidateAll}) whether or not the application
 * limits concurrent sessions. Works on request threads that Spring's {@code RequestContextHolder}
 * knows (every Spring MVC request).
 */
final class SecurityContextPrincipalListener implements HttpSessionAttributeListener {

  private static final String KEY =
      HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY;

  @Override
  public void attributeAdded(HttpSessionBindingEvent event) {
    changed(event);
  }

  @Override
  public void attributeReplaced(HttpSessionBindingEvent event) {
    changed(event);
  }

  @Override
  public void attributeRemoved(HttpSessionBindingEvent event) {
    if (KEY.equals(event.getName())) {
      ActiveSession s = current(event);
      if (s != null && s.isValid()) {
        s.setPrincipal(null);
      }
    }
  }

  private static void changed(HttpSessionBindingEvent event) {
    if (!KEY.equals(event.getName())) {
      return;
    }
    ActiveSession s = current(event);
    if (s == null || !s.isValid()) {
      return;
    }
    Object value = event.getSession().getAttribute(KEY);
    Authentication auth = value instanceof SecurityContext c ? c.getAuthentication() : null;
    if (auth == null || !auth.isAuthenticated() || auth instanceof AnonymousAuthenticationToken) {
      s.setPrincipal(null);
    } else {
      String name = TetherSessionRegistry.nameOf(auth.getPrincipal());
      if (!name.equals(s.principal())) {
        s.setPrincipal(name);
      }
    }
  }

  private static ActiveSession current(HttpSessionBindingEvent event) {
    if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes sra)) {
      return null;
    }
    ActiveSession s = TetherSessionFilter.session(sra.getRequest(), false);
    return s != null && s.id().equals(event.getSession().getId()) ? s : null;
  }
}
