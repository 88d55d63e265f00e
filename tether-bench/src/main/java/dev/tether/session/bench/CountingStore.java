package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Passes every call to the real store and counts full reads ({@link #load}), version checks and
 * saves. Placed under the near cache it shows exactly how many full reads the cache let through.
 */
public final class CountingStore implements SessionStore {

  private final SessionStore delegate;
  private final LongAdder loads = new LongAdder();
  private final LongAdder versionChecks = new LongAdder();
  private final LongAdder saves = new LongAdder();

  /** Counts the calls made to {@code delegate}. */
  public CountingStore(SessionStore delegate) {
    this.delegate = requireNonNull(delegate, "delegate");
  }

  /** Full reads so far. */
  public long loads() {
    return loads.sum();
  }

  /** Version checks so far. */
  public long versionChecks() {
    return versionChecks.sum();
  }

  /** Saves so far. */
  public long saves() {
    return saves.sum();
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    loads.increment();
    return delegate.load(id);
  }

  @Override
  public OptionalLong currentVersion(String id) {
    versionChecks.increment();
    return delegate.currentVersion(id);
  }

  /** The store's channel, so a near cache over this one can trust the balancer's binding. */
  @Override
  public dev.tether.session.spi.Invalidations invalidations() {
    return delegate.invalidations();
  }

  @Override
  public SaveResult create(SessionRecord session) {
    return delegate.create(session);
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    saves.increment();
    return delegate.save(delta);
  }

  @Override
  public boolean delete(String id) {
    return delegate.delete(id);
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    return delegate.rotateId(oldId, newId);
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    return delegate.findByPrincipal(principal);
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    return delegate.sweepExpired(limit);
  }

  /** Leaves the delegate open: whoever opened it closes it. */
  @Override
  public void close() {}
}
