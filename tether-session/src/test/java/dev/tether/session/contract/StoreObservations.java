package dev.tether.session.contract;

import dev.tether.session.spi.ForwardingSessionStore;
import dev.tether.session.spi.PrincipalChange;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the suite's calls told about one backend: the session ids and principals they touched and
 * the ids they ended (deleted, or rotated away from). Shared by all the store instances of a test,
 * which {@link #watch} wraps; read by {@link StoreContract#principalIndexAgreesWithTheSessions}.
 */
final class StoreObservations {

  private final Set<String> ids = ConcurrentHashMap.newKeySet();
  private final Set<String> principals = ConcurrentHashMap.newKeySet();
  private final Set<String> ended = ConcurrentHashMap.newKeySet();
  private final Set<String> tampered = ConcurrentHashMap.newKeySet();

  /** The observations behind a store {@link #watch} returned. */
  static StoreObservations of(SessionStore watched) {
    return ((Watched) watched).seen;
  }

  /** {@code store}, recording into these observations. */
  SessionStore watch(SessionStore store) {
    return new Watched(store, this);
  }

  /** The sessions the test touched, except those it damaged on purpose. */
  Set<String> ids() {
    Set<String> live = new java.util.HashSet<>(ids);
    live.removeAll(tampered);
    return live;
  }

  /** Whether the test damaged session {@code id} in the backend on purpose. */
  boolean tampered(String id) {
    return tampered.contains(id);
  }

  /** Leaves session {@code id}, which the test damages on purpose, out of the after-test check. */
  void tamper(String id) {
    tampered.add(id);
  }

  Set<String> principals() {
    return Set.copyOf(principals);
  }

  boolean ended(String id) {
    return ended.contains(id);
  }

  private void principal(String p) {
    if (p != null) {
      principals.add(p);
    }
  }

  private static final class Watched extends ForwardingSessionStore {
    private final StoreObservations seen;

    Watched(SessionStore delegate, StoreObservations seen) {
      super(delegate);
      this.seen = seen;
    }

    @Override
    public Optional<SessionRecord> load(String id) {
      Optional<SessionRecord> r = super.load(id);
      r.ifPresent(s -> seen.principal(s.principal()));
      return r;
    }

    @Override
    public SaveResult create(SessionRecord session) {
      SaveResult r = super.create(session);
      if (r.isSaved()) {
        seen.ids.add(session.id());
        seen.principal(session.principal());
      }
      return r;
    }

    @Override
    public SaveResult save(SessionDelta delta) {
      SaveResult r = super.save(delta);
      PrincipalChange change = delta.principal();
      if (change != null) {
        seen.principal(change.principal());
      }
      return r;
    }

    @Override
    public boolean delete(String id) {
      boolean deleted = super.delete(id);
      if (deleted) {
        seen.ended.add(id);
      }
      return deleted;
    }

    @Override
    public SaveResult rotateId(String oldId, String newId) {
      SaveResult r = super.rotateId(oldId, newId);
      if (r.isSaved()) {
        seen.ended.add(oldId);
        seen.ids.add(newId);
      }
      return r;
    }

    @Override
    public Set<String> findByPrincipal(String principal) {
      seen.principal(principal);
      return super.findByPrincipal(principal);
    }

    @Override
    public List<SessionRecord> sweepExpired(int limit) {
      List<SessionRecord> swept = super.sweepExpired(limit);
      swept.forEach(s -> seen.principal(s.principal()));
      return swept;
    }
  }
}
