package dev.tether.session.spring.boot.actuate;

import static java.util.Objects.requireNonNull;

import dev.tether.session.SessionManager;
import dev.tether.session.spi.SessionRecord;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/tethersessions}: the store's health and this instance's session count; {@code
 * /actuator/tethersessions/{principal}}: that user's sessions on every instance (by id digest,
 * never the id), and {@code DELETE} on it ends them all.
 *
 * <p>JSON: {@code {"store":"redis","storeHealth":{"status":"UP","latencyMillis":1,"error":null},
 * "activeOnThisInstance":3}}; {@code {"principal":"alice","sessions":[{"id":"…digest…",
 * "createdAt":"…","lastAccessedAt":"…","expiresAt":"…"}]}}; {@code
 * {"principal":"alice","ended":2}}.
 */
@Endpoint(id = "tethersessions")
public final class TetherSessionsEndpoint {

  /** An id that is never issued (ids are 43 URL-safe characters), read to probe the store. */
  static final String PROBE_ID = "tether-health-probe";

  private final SessionManager manager;
  private final String storeName;
  private final MeterRegistry registry;

  /** The endpoint over {@code manager}; {@code registry} may be null (then no count). */
  public TetherSessionsEndpoint(SessionManager manager, String storeName, MeterRegistry registry) {
    this.manager = requireNonNull(manager, "manager");
    this.storeName = requireNonNull(storeName, "storeName");
    this.registry = registry;
  }

  /** The overview. */
  @ReadOperation
  public Overview overview() {
    return new Overview(storeName, health(), activeOnThisInstance());
  }

  /** The sessions of {@code principal}, oldest first. */
  @ReadOperation
  public PrincipalSessions sessionsOf(@Selector String principal) {
    List<Session> out = new ArrayList<>();
    for (String id : manager.store().findByPrincipal(principal)) {
      manager
          .store()
          .load(id)
          .filter(r -> principal.equals(r.principal()))
          .ifPresent(r -> out.add(session(r)));
    }
    out.sort(Comparator.comparing(Session::createdAt));
    return new PrincipalSessions(principal, out);
  }

  /** Ends every session of {@code principal}, on every instance. */
  @DeleteOperation
  public Ended endSessionsOf(@Selector String principal) {
    return new Ended(principal, manager.principals().invalidateAll(principal));
  }

  private Session session(SessionRecord r) {
    return new Session(manager.digest(r.id()), r.createdAt(), r.lastAccessedAt(), r.expiresAt());
  }

  private StoreHealth health() {
    long start = System.nanoTime();
    try {
      manager.store().currentVersion(PROBE_ID);
      return new StoreHealth("UP", (System.nanoTime() - start) / 1_000_000, null);
    } catch (RuntimeException e) {
      return new StoreHealth("DOWN", (System.nanoTime() - start) / 1_000_000, e.toString());
    }
  }

  private Long activeOnThisInstance() {
    if (registry == null) {
      return null;
    }
    Gauge g = registry.find("tether.sessions.active").gauge();
    return g == null ? null : (long) g.value();
  }

  /**
   * @param store the store's name
   * @param storeHealth whether the store answers
   * @param activeOnThisInstance sessions this instance created minus those it ended (summed over
   *     instances: the cluster's live sessions), or null without Micrometer
   */
  public record Overview(String store, StoreHealth storeHealth, Long activeOnThisInstance) {}

  /**
   * @param status {@code UP} or {@code DOWN}
   * @param latencyMillis how long the probe read took
   * @param error why it failed, or null
   */
  public record StoreHealth(String status, long latencyMillis, String error) {}

  /** A principal's sessions. */
  public record PrincipalSessions(String principal, List<Session> sessions) {}

  /** One session, named by its log-safe id digest. */
  public record Session(String id, Instant createdAt, Instant lastAccessedAt, Instant expiresAt) {}

  /** How many sessions a delete ended. */
  public record Ended(String principal, int ended) {}
}
