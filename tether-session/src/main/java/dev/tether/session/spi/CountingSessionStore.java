package dev.tether.session.spi;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the calls that reach a store: full reads, version checks, creates and saves. Placed under
 * a near cache it shows exactly how many reads the cache let through; thread-safe.
 *
 * <p>A {@link #create} is not a save: {@link #creates()} counts whole new records, {@link #saves()}
 * counts deltas written to existing sessions, and {@link #writes()} is the two together. A full
 * read is {@link #load(String)} or {@link #load(String, String)}. Every other call passes through
 * uncounted, the optional ones included.
 */
public final class CountingSessionStore extends ForwardingSessionStore {

  private final LongAdder loads = new LongAdder();
  private final LongAdder versionChecks = new LongAdder();
  private final LongAdder creates = new LongAdder();
  private final LongAdder saves = new LongAdder();

  /** Counts the calls made to {@code delegate}. */
  public CountingSessionStore(SessionStore delegate) {
    super(delegate);
  }

  /** Full reads so far. */
  public long loads() {
    return loads.sum();
  }

  /** Version checks so far. */
  public long versionChecks() {
    return versionChecks.sum();
  }

  /** Creates so far (whether or not the id was free). */
  public long creates() {
    return creates.sum();
  }

  /** Delta saves so far (whatever their outcome); creates are not among them. */
  public long saves() {
    return saves.sum();
  }

  /** Creates and saves so far. */
  public long writes() {
    return creates() + saves();
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    loads.increment();
    return super.load(id);
  }

  @Override
  public Optional<SessionRecord> load(String id, String binding) {
    loads.increment();
    return super.load(id, binding);
  }

  @Override
  public OptionalLong currentVersion(String id) {
    versionChecks.increment();
    return super.currentVersion(id);
  }

  @Override
  public SaveResult create(SessionRecord session) {
    creates.increment();
    return super.create(session);
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    saves.increment();
    return super.save(delta);
  }
}
