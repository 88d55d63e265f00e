package dev.tether.session.servlet;

import static java.util.Objects.requireNonNull;

import dev.tether.session.ActiveSession;
import dev.tether.session.SessionListener;
import dev.tether.session.SessionManager;
import dev.tether.session.circuit.StoreUnavailableException;
import dev.tether.session.spi.ClientSideStore;
import dev.tether.session.spi.SessionRecord;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EventListener;
import java.util.List;

/**
 * Gives any servlet application (Jetty, Tomcat, …) an {@code HttpSession} backed by a {@link
 * SessionManager}: strict ids from the cookie only, the session's changes written as one delta
 * before the response commits, a hardened cookie ({@link SessionCookie}), {@code Cache-Control:
 * no-store} whenever an id is set, {@code Clear-Site-Data} on invalidation, and a {@code
 * Tether-Session-Expires-In} header in the expiry warning period. The client's address ({@code
 * getRemoteAddr()}) and {@code User-Agent} go to the manager for session binding ({@link
 * dev.tether.session.SessionPolicy.Binding}); a session whose binding check terminates it is
 * treated like an unknown id (cookie dropped, a new session if the application asks for one).
 *
 * <pre>{@code
 * TetherSessionFilter filter = TetherSessionFilter.builder(manager)
 *     .cookie(SessionCookie.defaults())
 *     .listener(new AuditListener())          // HttpSessionListener, ...AttributeListener, ...IdListener
 *     .build();
 * context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 *
 * <p><b>Servlet session events.</b> A filter cannot see the listeners registered with the
 * container, so session listeners are registered here, with {@link Builder#listener}. They get
 * {@code sessionCreated} when a request creates a session; {@code sessionDestroyed} (attributes
 * still readable), then {@code attributeRemoved} per attribute, on {@code HttpSession.invalidate()}
 * and on expiry; {@code attributeAdded}/{@code Replaced}/{@code Removed} on the {@code HttpSession}
 * attribute methods; {@code sessionIdChanged} on {@code changeSessionId()}, on renewal, and on
 * {@link dev.tether.session.SessionAuthentication#login} (then before the session is saved). Values
 * that implement {@code HttpSessionBindingListener} get {@code valueBound}/{@code valueUnbound} on
 * set, replace, remove, invalidation and expiry; with a shared store these are decoded copies, as
 * in any clustered container. Expiry is processed by {@link dev.tether.session.SessionSweeper},
 * which claims each expired session on exactly one instance; that instance's filter fires its
 * events, with a read-only {@code HttpSession} over the expired record, on the sweeper thread (the
 * container must call {@link #init}, which every container does). Sessions ended by id on this
 * instance ({@link dev.tether.session.PrincipalSessions#invalidateAll}, {@link
 * dev.tether.session.PrincipalSessions#invalidateOthers}, a user ending one of their sessions,
 * eviction under a concurrent-session limit, a binding termination) get the same {@code
 * sessionDestroyed} and unbinding events over the session as it was. Changes made through {@link
 * ActiveSession} directly fire only {@link SessionListener} events.
 *
 * <p><b>Async requests.</b> {@code request.startAsync()} hands the async work this filter's request
 * and response wrappers, so {@code AsyncContext.getRequest().getSession()} is the Tether session
 * and the first body write or flush of the async response saves the session before anything reaches
 * the client. {@code AsyncContext.complete()} saves the session before the response completes; an
 * {@code AsyncListener} saves it again on completion, error and timeout. So changes made on other
 * threads after the filter chain returned are kept without any manual commit. The filter must be
 * registered as async-supported (the default for Jetty's embedded {@code FilterHolder}; {@code
 * <async-supported>true</async-supported>} in {@code web.xml}).
 *
 * <p><b>Client-side sessions.</b> Over a {@link ClientSideStore} (the {@code cookie} store) the
 * session cookie carries the sealed session itself, split over {@code NAME}, {@code NAME.1}, ...:
 * the filter hands the request's cookies to the store at the start, writes the store's sealed
 * values after each save while the response is not committed, and releases the session at the end.
 * When a save is refused (the session would not fit the configured cookies, {@code
 * dev.tether.session.cookie.SessionTooLargeException}), the exception reaches the application and
 * the response carries no session cookie, so the browser keeps the previous session, never a
 * truncated one. The store's cookie name must be the filter's.
 *
 * <p><b>When the store is down.</b> A request whose session needs the store while it is unavailable
 * (a {@link StoreUnavailableException} from a {@link
 * dev.tether.session.circuit.CircuitBreakingStore}, thrown while opening or saving the session,
 * also when the application wrapped it) is answered {@code 503 Service Unavailable} with {@code
 * Retry-After} (the seconds left of the breaker's cool-down, at least 1), {@code Cache-Control:
 * no-store} and a short plain-text body, in place of whatever the application had put in the
 * uncommitted response (its headers included, so no session cookie goes out for a session that was
 * never stored). Requests that never touch their session do not reach the store and are served as
 * usual. Refused requests are logged at most once every ten seconds, with their count. When the
 * response was already committed nothing can be changed; that is logged the same way. The same
 * holds for a request in an async cycle whose session is opened or saved on another thread (by its
 * first write, {@code AsyncContext.complete()}, a timeout or an error): it gets the same {@code
 * 503} and log line, and its cycle is ended.
 *
 * <p>Other frameworks use {@link SessionManager} and {@link ActiveSession} directly.
 */
public final class TetherSessionFilter implements Filter {

  private static final String REQUEST_ATTRIBUTE = TetherSessionFilter.class.getName();

  private final SessionManager manager;
  private final SessionCookie cookie;
  private final SessionEvents events;
  private final SessionListener expiry = new Expiry();
  private final UnavailableResponse unavailable = new UnavailableResponse(System::nanoTime);
  private volatile ServletContext context;
  private boolean subscribed;

  /** A filter over {@code manager} using {@code cookie}, without session listeners. */
  public TetherSessionFilter(SessionManager manager, SessionCookie cookie) {
    this(manager, cookie, SessionEvents.NONE);
  }

  private TetherSessionFilter(SessionManager manager, SessionCookie cookie, SessionEvents events) {
    this.manager = requireNonNull(manager, "manager");
    this.cookie = requireNonNull(cookie, "cookie");
    this.events = events;
    if (manager.store() instanceof ClientSideStore cs && !cs.cookieName().equals(cookie.name())) {
      throw new IllegalArgumentException(
          "the client-side session store seals into cookie '"
              + cs.cookieName()
              + "' but the filter's session cookie is '"
              + cookie.name()
              + "'; give both the same name");
    }
  }

  /** A builder of a filter over {@code manager}. */
  public static Builder builder(SessionManager manager) {
    return new Builder(manager);
  }

  /** The manager behind this filter. */
  public SessionManager manager() {
    return manager;
  }

  /**
   * The Tether session of a request that passed this filter, opened or created as asked; {@code
   * null} when there is none (or the request did not pass the filter).
   */
  public static ActiveSession session(ServletRequest request, boolean create) {
    Object r = request.getAttribute(REQUEST_ATTRIBUTE);
    return r instanceof SessionRequest s ? s.active(create) : null;
  }

  /** Subscribes to the manager's expiry events, to fire {@code sessionDestroyed} for them. */
  @Override
  public void init(FilterConfig config) {
    context = config.getServletContext();
    synchronized (this) {
      if (!subscribed) {
        subscribed = true;
        manager.addListener(expiry);
      }
    }
  }

  /** Ends the expiry subscription. */
  @Override
  public void destroy() {
    synchronized (this) {
      subscribed = false;
      manager.removeListener(expiry);
    }
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest http)
        || !(res instanceof HttpServletResponse httpRes)) {
      chain.doFilter(req, res);
      return;
    }
    if (req.getAttribute(REQUEST_ATTRIBUTE) instanceof SessionRequest outer && wraps(req, outer)) {
      // a forward, include, error or async dispatch of a request that already passed: one session
      chain.doFilter(req, res);
      if (!outer.isAsyncStarted()) {
        outer.commit();
      }
      return;
    }
    try {
      serve(http, httpRes, chain);
    } catch (IOException | ServletException | RuntimeException e) {
      StoreUnavailableException down = StoreUnavailableException.find(e);
      if (down == null) {
        throw e;
      }
      if (req.getAttribute(REQUEST_ATTRIBUTE) instanceof SessionRequest s
          && s.answeredUnavailable()) {
        return; // answered within the async cycle already (started on this thread)
      }
      unavailable.respond(httpRes, down);
    }
  }

  private void serve(HttpServletRequest http, HttpServletResponse httpRes, FilterChain chain)
      throws IOException, ServletException {
    SessionRequest request =
        new SessionRequest(http, httpRes, manager, cookie, events, unavailable);
    CommitGuardResponse response = new CommitGuardResponse(httpRes, request::commitBeforeWrite);
    request.attach(response);
    request.setAttribute(REQUEST_ATTRIBUTE, request);
    boolean async = false;
    try {
      chain.doFilter(request, response);
      async = request.isAsyncStarted();
    } finally {
      if (async) {
        request.watchAsync();
      } else {
        try {
          request.commit();
        } finally {
          request.finish();
        }
      }
    }
  }

  /**
   * Whether {@code req} is {@code outer} or wraps it. A container that dispatches to an error page
   * after this filter returned (Tomcat and Jetty both do, for an exception or {@code sendError})
   * passes its own request object again, which carries the attribute but not the wrapper: that
   * dispatch gets a wrapper of its own, so the error page sees the Tether session too.
   */
  private static boolean wraps(ServletRequest req, SessionRequest outer) {
    return req == outer
        || req instanceof jakarta.servlet.ServletRequestWrapper w && w.isWrapperFor(outer);
  }

  /**
   * Fires the servlet events of sessions that ended without a request holding them: expired in this
   * instance's sweep, or ended by id on this instance.
   */
  private final class Expiry implements SessionListener {
    @Override
    public void expired(String idDigest, SessionRecord record) {
      events.expired(new ExpiredHttpSession(record, idDigest, manager.codec(), context));
    }

    @Override
    public void endedById(String idDigest, SessionRecord record) {
      events.expired(new ExpiredHttpSession(record, idDigest, manager.codec(), context));
    }
  }

  /** Builds a {@link TetherSessionFilter}. */
  public static final class Builder {
    private final SessionManager manager;
    private SessionCookie cookie = SessionCookie.defaults();
    private final List<EventListener> listeners = new ArrayList<>();

    private Builder(SessionManager manager) {
      this.manager = requireNonNull(manager, "manager");
    }

    /** The session cookie; {@link SessionCookie#defaults()} by default. */
    public Builder cookie(SessionCookie c) {
      this.cookie = requireNonNull(c, "cookie");
      return this;
    }

    /**
     * Adds a session listener: an {@code HttpSessionListener}, {@code
     * HttpSessionAttributeListener}, {@code HttpSessionIdListener} or {@link SessionCommitListener}
     * (one object may be several). Listeners are called in the order added ({@code
     * sessionDestroyed} in reverse), on request threads and, for expiry, on the sweeper thread;
     * they must be thread-safe.
     *
     * @throws IllegalArgumentException for any other kind of listener
     */
    public Builder listener(EventListener l) {
      requireNonNull(l, "listener");
      new SessionEvents(List.of(l)); // refuses an unsupported type here, where the caller is
      listeners.add(l);
      return this;
    }

    public TetherSessionFilter build() {
      return new TetherSessionFilter(manager, cookie, new SessionEvents(listeners));
    }
  }
}
