package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

import dev.tether.session.ActiveSession;
import dev.tether.session.SessionManager;
import dev.tether.session.SessionPolicy;
import dev.tether.session.cache.NearCacheStore;
import dev.tether.session.codec.AttributeCodec;
import dev.tether.session.spi.CountingSessionStore;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The sessions and the three measured operations, the same for every store.
 *
 * <ul>
 *   <li><b>Sessions:</b> {@link BenchSettings#ATTRIBUTES} attributes {@code a0..a9}, each a JSON
 *       string encoded by the default codec to {@link BenchSettings#VALUE_BYTES} bytes. Thread
 *       {@code t} owns sessions {@code t, t + T, t + 2T, …} and cycles through them, so no two
 *       threads touch one session (sticky routing; no conflicts).
 *   <li><b>save:</b> the delta a typical request writes: one attribute ({@code a3}) changed and the
 *       last access, against the version this thread last saw.
 *   <li><b>load:</b> a full read of the session (what a non-sticky request or a failover costs).
 *   <li><b>near-cache request:</b> what an app instance does for a sticky request, through {@link
 *       SessionManager} over a {@link NearCacheStore}: open the session (the cache checks the
 *       version, no full read when it is current), read one attribute, change another, commit (one
 *       delta save). Under the cache sits a {@link CountingSessionStore}, so full reads are
 *       counted, not assumed.
 *   <li><b>sticky reads:</b> after the timed rounds, the same request counted once with the binding
 *       a balancer sends ({@code Tether-Binding}) through a near cache that trusts it ({@link
 *       NearCacheStore#trustingBindings}), against the plain near cache: store reads (version
 *       checks plus full reads) per request, before and after. A store without a publish/subscribe
 *       channel (the grid, SQL) shows the same count for both.
 * </ul>
 */
final class StoreWorkload {

  private static final Duration IDLE = Duration.ofMinutes(30);
  private static final Duration ABSOLUTE = Duration.ofHours(8);
  private static final String CHANGED = "a3";
  private static final String READ = "a0";

  /** Distinct values each thread writes in turn, so consecutive writes differ. */
  private static final int VALUES = 16;

  private final BenchSettings settings;
  private final CountingSessionStore store;
  private final NearCacheStore near;
  private final SessionManager manager;
  private final Clock clock;
  private final String[] ids;
  private final long[] versions;
  private final String[] strings;
  private final byte[][] encoded;

  StoreWorkload(SessionStore real, BenchSettings settings, Clock clock) {
    this.settings = requireNonNull(settings, "settings");
    this.clock = requireNonNull(clock, "clock");
    this.store = new CountingSessionStore(requireNonNull(real, "real"));
    this.near = new NearCacheStore(store, settings.sessions());
    this.manager =
        SessionManager.builder(near)
            .policy(
                SessionPolicy.defaults()
                    .withTimeouts(IDLE, ABSOLUTE)
                    .withTouchInterval(Duration.ZERO))
            .clock(clock)
            .build();
    this.ids = new String[settings.sessions()];
    this.versions = new long[settings.sessions()];
    SplittableRandom random = new SplittableRandom(42);
    this.strings = new String[VALUES];
    this.encoded = new byte[VALUES][];
    AttributeCodec codec = manager.codec();
    for (int v = 0; v < VALUES; v++) {
      strings[v] = text(random, codec);
      encoded[v] = codec.encode(CHANGED, strings[v]);
    }
  }

  /** Creates the sessions (untimed). */
  void createSessions() {
    SecureRandom idRandom = new SecureRandom();
    SplittableRandom random = new SplittableRandom(7);
    AttributeCodec codec = manager.codec();
    for (int i = 0; i < ids.length; i++) {
      byte[] raw = new byte[32];
      idRandom.nextBytes(raw);
      ids[i] = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
      Map<String, byte[]> attributes = new LinkedHashMap<>();
      for (int a = 0; a < BenchSettings.ATTRIBUTES; a++) {
        String name = "a" + a;
        attributes.put(name, codec.encode(name, text(random, codec)));
      }
      SessionRecord r =
          SessionRecord.create(ids[i], clock.instant(), IDLE, ABSOLUTE, null, attributes);
      SaveResult saved = store.create(r);
      if (!saved.isSaved()) {
        throw new IllegalStateException("creating benchmark session " + i + " answered " + saved);
      }
      versions[i] = saved.version();
    }
  }

  /** Reads every session's current version (untimed), after writes that bypassed {@link #save}. */
  void refreshVersions() {
    for (int i = 0; i < ids.length; i++) {
      int index = i;
      versions[i] =
          store
              .currentVersion(ids[i])
              .orElseThrow(() -> new IllegalStateException("session " + index + " is gone"));
    }
  }

  /** One request per session through the near cache (untimed), so the cache holds them all. */
  void primeNearCache() {
    for (int t = 0; t < settings.threads(); t++) {
      for (int k = 0; k < settings.sessionsPerThread(); k++) {
        if (!nearRequest(t, k)) {
          throw new IllegalStateException("priming the near cache failed for thread " + t);
        }
      }
    }
  }

  /** A request-shaped delta save. */
  boolean save(int thread, long iteration) {
    int i = index(thread, iteration);
    SaveResult r =
        store.save(
            SessionDelta.builder(ids[i], versions[i])
                .set(CHANGED, encoded[(int) (iteration % VALUES)])
                .lastAccessedAt(clock.instant())
                .build());
    if (!r.isSaved() || !r.conflicts().isEmpty()) {
      return false;
    }
    versions[i] = r.version();
    return true;
  }

  /** A full read. */
  boolean load(int thread, long iteration) {
    Optional<SessionRecord> r = store.load(ids[index(thread, iteration)]);
    return r.isPresent() && r.get().attributes().size() == BenchSettings.ATTRIBUTES;
  }

  /** A sticky request through the session manager and the near cache. */
  boolean nearRequest(int thread, long iteration) {
    Optional<ActiveSession> opened =
        manager.open(ids[index(thread, iteration)], "192.0.2." + (thread + 1));
    if (opened.isEmpty()) {
      return false;
    }
    ActiveSession s = opened.get();
    if (s.attribute(READ) == null) {
      return false;
    }
    s.setAttribute(CHANGED, strings[(int) (iteration % VALUES)]);
    return manager.commit(s);
  }

  /**
   * Store reads (version checks plus full reads) per sticky request over {@code requests} requests:
   * {@code [0]} through the plain near cache, {@code [1]} with the balancer's binding through a
   * near cache that trusts it. Each cache sees one request per session first (uncounted). Run after
   * the timed rounds: the trusting cache subscribes to the store's channel for the rest of the run.
   */
  double[] stickyReads(int requests) {
    NearCacheStore trusting = NearCacheStore.trustingBindings(store, settings.sessions(), clock);
    SessionManager bound =
        SessionManager.builder(trusting)
            .policy(
                SessionPolicy.defaults()
                    .withTimeouts(IDLE, ABSOLUTE)
                    .withTouchInterval(Duration.ZERO))
            .clock(clock)
            .build();
    double[] out = new double[2];
    for (int pass = 0; pass < 2; pass++) {
      SessionManager m = pass == 0 ? manager : bound;
      for (int i = 0; i < ids.length; i++) {
        request(m, i, i, pass == 1);
      }
      long before = store.loads() + store.versionChecks();
      for (int k = 0; k < requests; k++) {
        if (!request(m, k % ids.length, k, pass == 1)) {
          throw new IllegalStateException("a sticky request failed while counting store reads");
        }
      }
      out[pass] = (double) (store.loads() + store.versionChecks() - before) / requests;
    }
    return out;
  }

  private boolean request(SessionManager m, int i, long iteration, boolean withBinding) {
    dev.tether.session.ClientInfo client =
        new dev.tether.session.ClientInfo(
            "192.0.2.1", null, withBinding ? "app1; epoch=" + i : null);
    Optional<ActiveSession> opened = m.open(ids[i], client);
    if (opened.isEmpty()) {
      return false;
    }
    ActiveSession s = opened.get();
    s.setAttribute(CHANGED, strings[(int) (iteration % VALUES)]);
    return m.commit(s);
  }

  /** The counting store right under the near cache. */
  CountingSessionStore counting() {
    return store;
  }

  /** The near cache. */
  NearCacheStore nearCache() {
    return near;
  }

  private int index(int thread, long iteration) {
    return thread + settings.threads() * (int) (iteration % settings.sessionsPerThread());
  }

  /** A string whose encoded form is exactly {@link BenchSettings#VALUE_BYTES} bytes. */
  private static String text(SplittableRandom random, AttributeCodec codec) {
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    int overhead = codec.encode("x", "").length;
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < BenchSettings.VALUE_BYTES - overhead; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
