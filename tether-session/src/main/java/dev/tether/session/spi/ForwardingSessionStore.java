package dev.tether.session.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A {@link SessionStore} that passes every call, the optional ones included, to another store: the
 * base of a decorator, which overrides only the calls it changes (in the manner of Guava's {@code
 * Forwarding*} classes).
 *
 * <pre>{@code
 * SessionStore logged = new ForwardingSessionStore(store) {
 *   @Override
 *   public boolean delete(String id) {
 *     log.info("deleting a session");
 *     return super.delete(id);
 *   }
 * };
 * }</pre>
 *
 * <p>{@link #close} closes the delegate too: a decorator owns the store it wraps. Override it to
 * leave the delegate open.
 */
public abstract class ForwardingSessionStore implements SessionStore {

  private final SessionStore delegate;

  /** Forwards to {@code delegate}. */
  protected ForwardingSessionStore(SessionStore delegate) {
    this.delegate = requireNonNull(delegate, "delegate");
  }

  /** The store every call goes to. */
  public final SessionStore delegate() {
    return delegate;
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    return delegate.load(id);
  }

  @Override
  public OptionalLong currentVersion(String id) {
    return delegate.currentVersion(id);
  }

  @Override
  public SaveResult create(SessionRecord session) {
    return delegate.create(session);
  }

  @Override
  public SaveResult save(SessionDelta delta) {
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

  @Override
  public Set<StoreCapability> capabilities() {
    return delegate.capabilities();
  }

  @Override
  public Optional<SessionRecord> load(String id, String binding) {
    return delegate.load(id, binding);
  }

  @Override
  public Invalidations invalidations() {
    return delegate.invalidations();
  }

  @Override
  public List<String> owners(String id) {
    return delegate.owners(id);
  }

  @Override
  public boolean isOutage(RuntimeException failure) {
    return delegate.isOutage(failure);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
