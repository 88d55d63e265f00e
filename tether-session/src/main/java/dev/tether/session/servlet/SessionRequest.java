package dev.tether.session.servlet;

import dev.tether.session.ActiveSession;
import dev.tether.session.ClientInfo;
import dev.tether.session.SessionManager;
import dev.tether.session.circuit.StoreUnavailableException;
import dev.tether.session.spi.ClientSideStore;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The request as the application sees it behind {@link TetherSessionFilter}: sessions come from the
 * manager, opened lazily on first use (a request that never asks costs no store call).
 *
 * <p>Design: state is guarded by this object's lock, but listener events are fired after leaving
 * it, so a listener that writes to the response (whose commit guard calls back into {@link
 * #commit}) cannot deadlock with an async thread. Async requests: {@link #startAsync()} hands out
 * this request and the commit-guarded response, so async work sees the session and its first write
 * still saves the session before anything reaches the client; the returned context saves at {@code
 * complete()} before the response completes, and an {@link AsyncCommit} listener saves on error,
 * timeout and completion for whatever happened otherwise.
 *
 * <p>When the store is unavailable during an async cycle (the session opened, or saved by the first
 * write, {@code complete()}, a timeout or an error, on whatever thread) there is no filter up the
 * stack to answer for it: the request answers the {@code 503} itself, through the filter's {@link
 * UnavailableResponse} (the same response and log line as a synchronous request), and ends the
 * cycle, so the client is not left waiting for the async timeout. The application's call that met
 * the outage still gets the {@link StoreUnavailableException}, except {@code complete()}, whose
 * work is then done.
 */
final class SessionRequest extends HttpServletRequestWrapper {

  /** Response header carrying the seconds left before expiry, in the warning period. */
  static final String EXPIRES_IN = "Tether-Session-Expires-In";

  /**
   * Request header from the balancer: the binding the request arrived under. Only the balancer can
   * set it (it removes a client's); app instances must be reachable only through it.
   */
  static final String BINDING = "Tether-Binding";

  /** Response header for the balancer: the instances that own the session, primary first. */
  static final String SESSION_OWNERS = "Tether-Session-Owners";

  private final SessionManager manager;
  private final SessionCookie cookie;
  private final SessionEvents events;
  private final String requestedId;
  private final SealedCookies sealed;
  private HttpServletResponse response;
  private boolean opened;
  private ActiveSession active;
  private TetherHttpSession view;
  private boolean requestedValid;
  private String cookieId;
  private String eventId;
  private boolean watchingAsync;
  private CommittingAsyncContext async;
  private final UnavailableResponse unavailable;
  private final HttpServletResponse raw;
  private final AtomicBoolean answered = new AtomicBoolean();

  /**
   * @param raw the container's response, on which a {@code 503} is written during an async cycle
   * @param unavailable the filter's {@code 503} answer and its log line
   */
  SessionRequest(
      HttpServletRequest request,
      HttpServletResponse raw,
      SessionManager manager,
      SessionCookie cookie,
      SessionEvents events,
      UnavailableResponse unavailable) {
    super(request);
    this.raw = raw;
    this.unavailable = unavailable;
    this.manager = manager;
    this.cookie = cookie;
    this.events = events;
    if (manager.store() instanceof ClientSideStore cs) {
      this.sealed = new SealedCookies(cs, cookie, request.getHeaders("Cookie"));
      this.requestedId = sealed.receivedId();
    } else {
      this.sealed = null;
      this.requestedId = cookie.read(request.getHeaders("Cookie"));
    }
    this.cookieId = requestedId;
  }

  void attach(HttpServletResponse r) {
    this.response = r;
  }

  /** The active session, opening or creating it as asked; {@code null} when none. */
  ActiveSession active(boolean create) {
    try {
      return activeOrThrow(create);
    } catch (StoreUnavailableException e) {
      throw unavailableInAsync(e, true);
    }
  }

  private ActiveSession activeOrThrow(boolean create) {
    TetherHttpSession created = null;
    String renewedFrom;
    TetherHttpSession current;
    ActiveSession result;
    synchronized (this) {
      openOnce();
      if ((active == null || !active.isValid()) && create) {
        active = manager.create(client());
        view = new TetherHttpSession(this, active, events);
        eventId = active.id();
        created = view;
        sendCookie();
      }
      renewedFrom = pendingIdChange();
      current = view;
      result = active != null && active.isValid() ? active : null;
    }
    if (renewedFrom != null) {
      events.idChanged(current, renewedFrom);
    }
    if (created != null) {
      events.created(created);
    }
    return result;
  }

  private void openOnce() {
    if (opened) {
      return;
    }
    opened = true;
    Optional<ActiveSession> found = manager.open(requestedId, client());
    if (found.isPresent()) {
      active = found.get();
      view = new TetherHttpSession(this, active, events);
      // renewed by this open: listeners hear of the id change; reached through the grace period
      // of an earlier renewal: they heard of it then
      eventId = active.idChanged() ? requestedId : active.id();
      requestedValid = active.id().equals(requestedId);
      if (!requestedValid) {
        sendCookie();
      }
      manager
          .expiryWarning(active)
          .ifPresent(left -> setHeader(EXPIRES_IN, Long.toString(left.toSeconds())));
    } else if ((requestedId != null || sealed != null && sealed.presented())
        && !response.isCommitted()) {
      // a stale, forged or unbound id: drop it from the browser so it is not presented again
      expireCookies();
      cookieId = null;
    }
  }

  private ClientInfo client() {
    String agent = getHeader("User-Agent");
    return new ClientInfo(getRemoteAddr(), agent == null ? "" : agent, getHeader(BINDING));
  }

  /**
   * The id listeners last heard of, when the session's id has changed since (by {@link
   * #changeSessionId}, renewal, or {@link dev.tether.session.SessionAuthentication#login} on the
   * plain API), else null.
   */
  private String pendingIdChange() {
    if (active == null || !active.isValid() || eventId == null || eventId.equals(active.id())) {
      return null;
    }
    String old = eventId;
    eventId = active.id();
    return old;
  }

  @Override
  public HttpSession getSession(boolean create) {
    ActiveSession s = active(create);
    synchronized (this) {
      return s == null ? null : view;
    }
  }

  @Override
  public HttpSession getSession() {
    return getSession(true);
  }

  @Override
  public String changeSessionId() {
    ActiveSession s = active(false);
    if (s == null) {
      throw new IllegalStateException("there is no session whose id could change");
    }
    String id;
    String old;
    TetherHttpSession current;
    synchronized (this) {
      id = s.rotateId();
      sendCookie();
      old = pendingIdChange();
      current = view;
    }
    if (old != null) {
      events.idChanged(current, old);
    }
    return id;
  }

  @Override
  public String getRequestedSessionId() {
    return requestedId;
  }

  @Override
  public boolean isRequestedSessionIdValid() {
    active(false);
    synchronized (this) {
      return requestedValid && active != null && active.isValid();
    }
  }

  @Override
  public boolean isRequestedSessionIdFromCookie() {
    return requestedId != null;
  }

  @Override
  public boolean isRequestedSessionIdFromURL() {
    return false;
  }

  /**
   * Invalidate (logout): {@code sessionDestroyed} while the attributes are readable, each attribute
   * unbound, then delete everywhere, expire the cookie, clear site data (R11, R25).
   */
  void invalidate(TetherHttpSession session) {
    try {
      events.destroyed(session);
      session.unbindAll();
    } finally {
      synchronized (this) {
        if (sealed != null) {
          sealed.track(session.active().id());
        }
        manager.invalidate(session.active());
        if (!response.isCommitted()) {
          expireCookies();
          response.setHeader("Clear-Site-Data", "\"cache\", \"cookies\", \"storage\"");
          response.setHeader("Cache-Control", "no-store");
        }
      }
    }
  }

  /** Writes the session's changes; called before the response commits and at the end. */
  void commit() {
    String old;
    TetherHttpSession current;
    ActiveSession saved;
    synchronized (this) {
      if (active == null || !active.isValid()) {
        return;
      }
      if (!active.id().equals(cookieId)) { // null after a stale cookie was dropped
        sendCookie();
      }
      try {
        manager.commit(active);
        sendOwners();
      } finally {
        if (sealed != null) {
          sealed.write(response, active.id()); // the saved seal; unchanged when the save failed
        }
      }
      old = pendingIdChange();
      current = view;
      saved = active.isValid() && !response.isCommitted() ? active : null;
    }
    if (old != null) {
      events.idChanged(current, old);
    }
    if (saved != null) {
      events.committed(saved, this, response);
    }
  }

  /**
   * {@link #commit} as the commit guard runs it, before the response's first write or flush; on an
   * async thread an outage of the store is answered here (see the class comment).
   */
  void commitBeforeWrite() {
    try {
      commit();
    } catch (StoreUnavailableException e) {
      throw unavailableInAsync(e, true);
    }
  }

  /**
   * During an async cycle: answers {@code 503} for {@code e} once (when the response can still be
   * changed, else the filter's log counts it as late) and, if {@code complete}, ends the cycle.
   * Outside one: nothing, the filter answers when the exception reaches it. Returns {@code e}.
   */
  StoreUnavailableException unavailableInAsync(StoreUnavailableException e, boolean complete) {
    boolean inAsync;
    synchronized (this) {
      inAsync = watchingAsync;
    }
    if (!inAsync || !answered.compareAndSet(false, true)) {
      return e;
    }
    try {
      unavailable.respond(raw, e);
    } catch (IOException | RuntimeException failed) {
      e.addSuppressed(failed); // the client went away; the cycle still ends below
    }
    if (complete) {
      try {
        super.getAsyncContext().complete();
      } catch (IllegalStateException over) {
        // the cycle already ended (completed on another thread, or by the container)
      }
    }
    return e;
  }

  /** Whether a {@code 503} was already written for this request during its async cycle. */
  boolean answeredUnavailable() {
    return answered.get();
  }

  /** The log-safe digest of {@code s}'s id. */
  String digest(ActiveSession s) {
    return manager.digest(s.id());
  }

  @Override
  public AsyncContext startAsync() {
    return startAsync(this, response);
  }

  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse res) {
    return watch(super.startAsync(request, res));
  }

  @Override
  public AsyncContext getAsyncContext() {
    return watch(super.getAsyncContext());
  }

  /**
   * After the filter chain returned with async processing started (also when the application
   * started it on the unwrapped request): make sure the session is saved when it ends.
   */
  void watchAsync() {
    AsyncContext ctx;
    try {
      ctx = super.getAsyncContext();
    } catch (IllegalStateException e) {
      try {
        commit(); // completed on another thread meanwhile: nothing will call back, save now
      } finally {
        finish();
      }
      return;
    }
    watch(ctx);
  }

  private AsyncContext watch(AsyncContext ctx) {
    boolean register;
    CommittingAsyncContext out;
    synchronized (this) {
      register = !watchingAsync;
      watchingAsync = true;
      if (async == null || !async.wraps(ctx)) {
        async = new CommittingAsyncContext(ctx, this::commitAtComplete);
      }
      out = async;
    }
    if (register) {
      try {
        ctx.addListener(new AsyncCommit(this));
      } catch (IllegalStateException e) {
        try {
          commit(); // the async cycle already ended on another thread: save now
        } finally {
          finish();
        }
      }
    }
    return out;
  }

  /**
   * The save {@code AsyncContext.complete()} makes before completing: an outage is answered with
   * the {@code 503} (the context then completes as asked) instead of being thrown at the caller.
   */
  private void commitAtComplete() {
    if (answered.get()) {
      return; // a 503 went out already; nothing more to save or say
    }
    try {
      commit();
    } catch (StoreUnavailableException e) {
      unavailableInAsync(e, false);
    }
  }

  /**
   * Ends this request's hold on a client-side store's sessions; called once the request is done
   * (its last commit made).
   */
  void finish() {
    if (sealed != null) {
      sealed.release();
    }
  }

  private void expireCookies() {
    if (sealed != null) {
      sealed.expire(response);
    } else {
      response.addHeader("Set-Cookie", cookie.expireCookie());
    }
  }

  /**
   * Sends the current id; also catches rotations done through the plain API. With a client-side
   * store the session itself is the cookie, sent after the save ({@link SealedCookies#write}).
   */
  private void sendCookie() {
    if (sealed != null) {
      cookieId = active.id();
      sealed.track(active.id());
      setHeader("Cache-Control", "no-store");
      return;
    }
    if (!response.isCommitted()) {
      cookieId = active.id();
      response.addHeader("Set-Cookie", cookie.setCookie(active.id()));
      response.setHeader("Cache-Control", "no-store");
    }
  }

  /**
   * Tells the balancer which instances hold the session in memory (a grid store's owners, primary
   * first), so it fails over to one of them; the balancer removes the header before the response
   * reaches the client. Stores without owners send nothing.
   */
  private void sendOwners() {
    if (!active.isValid() || response.isCommitted()) {
      return;
    }
    List<String> owners = manager.store().owners(active.id());
    if (!owners.isEmpty()) {
      response.setHeader(SESSION_OWNERS, String.join(", ", owners));
    }
  }

  private void setHeader(String name, String value) {
    if (!response.isCommitted()) {
      response.setHeader(name, value);
    }
  }
}
