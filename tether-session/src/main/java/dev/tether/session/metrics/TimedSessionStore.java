package dev.tether.session.metrics;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.ForwardingSessionStore;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.ObjLongConsumer;
import java.util.function.Supplier;

/**
 * Reports how long each data call to a store took, failed calls included: {@code latency} gets the
 * SPI method name ({@code load}, with or without a binding; {@code currentVersion}, {@code create},
 * {@code save}, {@code delete}, {@code rotateId}, {@code findByPrincipal}, {@code sweepExpired})
 * and the nanoseconds, as {@link dev.tether.session.SessionListener#storeLatency} expects. The
 * other calls pass through untimed.
 *
 * <pre>{@code
 * SessionStore timed = new TimedSessionStore(store, listener::storeLatency);
 * }</pre>
 *
 * <p>{@code SessionManager} wraps its store in one, so every call it and its services make is timed
 * once.
 */
public final class TimedSessionStore extends ForwardingSessionStore {

  private final ObjLongConsumer<String> latency;

  /** Times the calls to {@code delegate}, reporting each to {@code latency}. */
  public TimedSessionStore(SessionStore delegate, ObjLongConsumer<String> latency) {
    super(delegate);
    this.latency = requireNonNull(latency, "latency");
  }

  private <T> T timed(String operation, Supplier<T> call) {
    long start = System.nanoTime();
    try {
      return call.get();
    } finally {
      latency.accept(operation, System.nanoTime() - start);
    }
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    return timed("load", () -> super.load(id));
  }

  @Override
  public Optional<SessionRecord> load(String id, String binding) {
    return timed("load", () -> super.load(id, binding));
  }

  @Override
  public OptionalLong currentVersion(String id) {
    return timed("currentVersion", () -> super.currentVersion(id));
  }

  @Override
  public SaveResult create(SessionRecord session) {
    return timed("create", () -> super.create(session));
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    return timed("save", () -> super.save(delta));
  }

  @Override
  public boolean delete(String id) {
    return timed("delete", () -> super.delete(id));
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    return timed("rotateId", () -> super.rotateId(oldId, newId));
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    return timed("findByPrincipal", () -> super.findByPrincipal(principal));
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    return timed("sweepExpired", () -> super.sweepExpired(limit));
  }
}
