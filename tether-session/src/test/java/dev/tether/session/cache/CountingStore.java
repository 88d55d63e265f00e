package dev.tether.session.cache;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts the calls reaching a real store. */
final class CountingStore implements SessionStore {
  final SessionStore delegate;
  final AtomicInteger loads = new AtomicInteger();
  final AtomicInteger versionChecks = new AtomicInteger();
  final AtomicInteger saves = new AtomicInteger();

  private final boolean invalidations;

  CountingStore(SessionStore delegate) {
    this(delegate, false);
  }

  /** With {@code invalidations}, passes on the delegate's publish/subscribe channel. */
  CountingStore(SessionStore delegate, boolean invalidations) {
    this.delegate = delegate;
    this.invalidations = invalidations;
  }

  @Override
  public dev.tether.session.spi.Invalidations invalidations() {
    return invalidations ? delegate.invalidations() : null;
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    loads.incrementAndGet();
    return delegate.load(id);
  }

  @Override
  public OptionalLong currentVersion(String id) {
    versionChecks.incrementAndGet();
    return delegate.currentVersion(id);
  }

  @Override
  public SaveResult create(SessionRecord session) {
    saves.incrementAndGet();
    return delegate.create(session);
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    saves.incrementAndGet();
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
}
