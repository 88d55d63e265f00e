package dev.tether.session.jdbc;

import dev.tether.session.spi.ForwardingSessionStore;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import java.util.List;
import javax.sql.DataSource;

/**
 * A store with replicas whose every write is followed by waiting until the replica has replayed it,
 * so the shared contract, which reads its own writes at once, can run against replica reads. What
 * happens when the replica lags is what {@link PostgresReplicaLagTest} tests.
 */
final class CaughtUpStore extends ForwardingSessionStore {

  private final JdbcSessionStore store;
  private final PgReplica replica;
  private final DataSource primary;

  CaughtUpStore(JdbcSessionStore store, PgReplica replica, DataSource primary) {
    super(store);
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
  public List<SessionRecord> sweepExpired(int limit) {
    return replicated(store.sweepExpired(limit));
  }
}
