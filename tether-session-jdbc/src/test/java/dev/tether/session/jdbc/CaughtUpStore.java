package dev.tether.session.jdbc;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import javax.sql.DataSource;

/**
 * A store with replicas whose every write is followed by waiting until the replica has replayed it,
 * so the shared contract, which reads its own writes at once, can run against replica reads. What
 * happens when the replica lags is what {@link PostgresReplicaLagTest} tests.
 */
final class CaughtUpStore implements SessionStore {

  private final JdbcSessionStore store;
  private final PgReplica replica;
  private final DataSource primary;

  CaughtUpStore(JdbcSessionStore store, PgReplica replica, DataSource primary) {
    this.store = store;
    this.replica = replica;
    this.primary = primary;
    replica.awaitCaughtUp(primary); // the tables the store may just have created
  }

  JdbcSessionStore store() {
    return store;
  }

  private <T> T replicated(T result) {
    replica.awaitCaughtUp(primary);
    return result;
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    return store.load(id);
  }

  @Override
  public OptionalLong currentVersion(String id) {
    return store.currentVersion(id);
  }

  @Override
  public SaveResult create(SessionRecord session) {
    return replicated(store.create(session));
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    return replicated(store.save(delta));
  }

  @Override
  public boolean delete(String id) {
    return replicated(store.delete(id));
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    return replicated(store.rotateId(oldId, newId));
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    return store.findByPrincipal(principal);
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    return replicated(store.sweepExpired(limit));
  }

  @Override
  public void close() {
    store.close();
  }
}
