package dev.tether.session.servlet;

import dev.tether.session.ActiveSession;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.EventListener;

/**
 * Told each time {@link TetherSessionFilter} has saved a request's session while the response can
 * still take headers: the extension point for components that derive something from the session and
 * send it along, such as a signed token of the session's principal ({@code tether-session-jwt}).
 * Registered like the servlet session listeners, with {@link TetherSessionFilter.Builder#listener}.
 *
 * <p>Called on the request thread (or the async thread that wrote first), at most once per save:
 * before the response's first byte and again at the end of the request when the response is still
 * uncommitted then, each time only for a live session. Implementations must be thread-safe and
 * quick; an exception propagates to the application like a failed save.
 *
 * <pre>{@code
 * TetherSessionFilter.builder(manager)
 *     .listener((SessionCommitListener) (session, request, response) ->
 *         response.setHeader("X-Principal", String.valueOf(session.principal())))
 *     .build();
 * }</pre>
 */
@FunctionalInterface
public interface SessionCommitListener extends EventListener {

  /**
   * {@code session} was saved (or found unchanged) for {@code request}; {@code response} is not
   * committed yet.
   */
  void sessionCommitted(
      ActiveSession session, HttpServletRequest request, HttpServletResponse response);
}
