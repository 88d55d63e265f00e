package dev.tether.session.trace;

import static java.util.Objects.requireNonNull;

import dev.tether.session.SessionIdDigest;
import dev.tether.session.spi.ForwardingSessionStore;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link SessionStore} that records one span per store operation, as a child of {@link
 * Context#current()} (the request's server span when the servlet container or an agent traces
 * requests), then delegates. Thread-safe as the store it wraps.
 *
 * <p>Each span is named {@code session <operation>}, of kind {@code CLIENT} (a call out of the
 * request's code to the store, usually over the network), with {@code tether.session.store}, {@code
 * tether.session.operation}, {@code tether.session.outcome} ({@code hit}/{@code miss}, {@code
 * saved}/{@code gone}/{@code id_taken}, {@code deleted}/{@code absent}, or {@code error} with the
 * exception recorded) and, for operations on one session, {@code tether.session.id_digest} — the
 * {@link SessionIdDigest}, never the id itself. Principals are not recorded.
 *
 * <pre>{@code
 * SessionStore store = TracingSessionStore.wrap(new RedisSessionStore(...), GlobalOpenTelemetry.get());
 * }</pre>
 */
public final class TracingSessionStore extends ForwardingSessionStore {

  static final AttributeKey<String> STORE = AttributeKey.stringKey("tether.session.store");
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("tether.session.operation");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("tether.session.outcome");
  static final AttributeKey<String> ID_DIGEST = AttributeKey.stringKey("tether.session.id_digest");
  static final AttributeKey<Long> COUNT = AttributeKey.longKey("tether.session.count");
  static final String SCOPE = "dev.tether.session";

  private final String storeName;
  private final Tracer tracer;
  private final SessionIdDigest digest;

  private TracingSessionStore(
      SessionStore delegate, String storeName, Tracer tracer, SessionIdDigest digest) {
    super(delegate);
    this.storeName = storeName;
    this.tracer = tracer;
    this.digest = digest;
  }

  /**
   * {@code store} with a span per operation, named after its class (e.g. {@code redis} for {@code
   * RedisSessionStore}).
   */
  public static SessionStore wrap(SessionStore store, OpenTelemetry openTelemetry) {
    requireNonNull(store, "store");
    return wrap(store, nameOf(store), openTelemetry, new SessionIdDigest(new SecureRandom()));
  }

  /**
   * {@code store} with a span per operation.
   *
   * @param storeName the {@code tether.session.store} attribute, e.g. {@code redis}
   * @param digest what the spans show instead of session ids
   */
  public static SessionStore wrap(
      SessionStore store, String storeName, OpenTelemetry openTelemetry, SessionIdDigest digest) {
    requireNonNull(store, "store");
    requireNonNull(storeName, "storeName");
    requireNonNull(openTelemetry, "openTelemetry");
    requireNonNull(digest, "digest");
    if (store instanceof dev.tether.session.spi.ClientSideStore) {
      throw new IllegalArgumentException(
          "a client-side store cannot be wrapped for tracing: the servlet filter must see it to"
              + " carry the session in cookies; its operations are in-memory seal and open calls");
    }
    return new TracingSessionStore(store, storeName, openTelemetry.getTracer(SCOPE), digest);
  }

  static String nameOf(SessionStore store) {
    String n = store.getClass().getSimpleName();
    if (n.endsWith("SessionStore") && n.length() > "SessionStore".length()) {
      n = n.substring(0, n.length() - "SessionStore".length());
    }
    return n.isEmpty() ? "store" : n.toLowerCase(Locale.ROOT);
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    return traced("load", id, () -> delegate().load(id), r -> r.isPresent() ? "hit" : "miss");
  }

  @Override
  public Optional<SessionRecord> load(String id, String binding) {
    return traced(
        "load", id, () -> delegate().load(id, binding), r -> r.isPresent() ? "hit" : "miss");
  }

  @Override
  public OptionalLong currentVersion(String id) {
    return traced(
        "current-version",
        id,
        () -> delegate().currentVersion(id),
        r -> r.isPresent() ? "hit" : "miss");
  }

  @Override
  public SaveResult create(SessionRecord session) {
    return traced(
        "create", session.id(), () -> delegate().create(session), TracingSessionStore::outcome);
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    return traced("save", delta.id(), () -> delegate().save(delta), TracingSessionStore::outcome);
  }

  @Override
  public boolean delete(String id) {
    return traced("delete", id, () -> delegate().delete(id), r -> r ? "deleted" : "absent");
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    return traced(
        "rotate-id", oldId, () -> delegate().rotateId(oldId, newId), TracingSessionStore::outcome);
  }

  /** The wrapped store's capabilities. */
  @Override
  public Set<String> findByPrincipal(String principal) {
    return traced(
        "find-by-principal",
        null,
        () -> delegate().findByPrincipal(principal),
        r -> r.isEmpty() ? "miss" : "hit");
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    return traced(
        "sweep-expired",
        null,
        () -> delegate().sweepExpired(limit),
        r -> r.isEmpty() ? "none" : "swept");
  }

  /** The wrapped store's judgement. */
  private static String outcome(SaveResult r) {
    return r.outcome().name().toLowerCase(Locale.ROOT);
  }

  private <T> T traced(String operation, String id, Supplier<T> call, Function<T, String> outcome) {
    Span span =
        tracer
            .spanBuilder("session " + operation)
            .setSpanKind(SpanKind.CLIENT)
            .setParent(Context.current())
            .startSpan();
    if (!span.isRecording()) {
      span.end();
      return call.get();
    }
    span.setAttribute(STORE, storeName);
    span.setAttribute(OPERATION, operation);
    if (id != null) {
      span.setAttribute(ID_DIGEST, digest.of(id));
    }
    try (Scope ignored = span.makeCurrent()) {
      T result = call.get();
      span.setAttribute(OUTCOME, outcome.apply(result));
      if (result instanceof List<?> l) {
        span.setAttribute(COUNT, l.size());
      } else if (result instanceof Set<?> s) {
        span.setAttribute(COUNT, s.size());
      }
      return result;
    } catch (RuntimeException | Error e) {
      span.setAttribute(OUTCOME, "error");
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
      throw e;
    } finally {
      span.end();
    }
  }
}
