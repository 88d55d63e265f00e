package dev.tether.it;

import dev.tether.session.codec.EncryptionKeys;
import dev.tether.session.cookie.CookieSessionStore;
import dev.tether.session.cookie.CookieStoreSettings;
import dev.tether.session.grid.GridMember;
import dev.tether.session.grid.GridSessionStore;
import dev.tether.session.grid.GridSettings;
import dev.tether.session.memcached.MemcachedSessionStore;
import dev.tether.session.memcached.MemcachedSessionStoreConfig;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.redis.RedisSessionStore;
import dev.tether.session.redis.RedisSessionStoreConfig;
import dev.tether.session.spi.SessionStore;
import dev.tether.testing.net.FreePorts;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared session backends the end-to-end tests run over: a store instance per application
 * instance, all over one backend (a Redis found through the environment, or a grid whose members
 * live in this JVM, one per application instance).
 */
interface Stores extends AutoCloseable {

  /** The store of application instance {@code i} (0-based). */
  SessionStore store(int i);

  /**
   * Stops the part of the backend that application instance {@code i} runs itself (its grid
   * member), as when the instance's process dies; nothing for a backend the instances share.
   */
  default void stop(int i) {}

  @Override
  void close();

  /** The given store instances, one per application instance, closed together. */
  static Stores of(List<SessionStore> stores) {
    return new Stores() {
      @Override
      public SessionStore store(int i) {
        return stores.get(i);
      }

      @Override
      public void close() {
        stores.forEach(SessionStore::close);
      }
    };
  }

  /** Three Redis store instances over one fresh key prefix. */
  static Stores redis() {
    String uri = System.getenv("TETHER_TEST_REDIS_URI");
    if (uri == null || uri.isBlank()) {
      if (Boolean.parseBoolean(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        throw new IllegalStateException(
            "TETHER_TEST_REDIS_URI is not set, and TETHER_REQUIRE_SERVICES=true makes"
                + " a missing Redis a failure (source <(bash .ci/services.sh) starts one)");
      }
      Assumptions.abort("TETHER_TEST_REDIS_URI is not set: skipping the Redis end-to-end test");
    }
    String prefix = "tether:it:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    List<SessionStore> stores = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      stores.add(
          new RedisSessionStore(
              RedisSessionStoreConfig.standalone(uri).withKeyPrefix(prefix), Clock.systemUTC()));
    }
    return of(stores);
  }

  /**
   * Three Memcached store instances over the shared nodes (primary and backup node per session),
   * one fresh key prefix.
   */
  static Stores memcached() {
    String nodes = System.getenv("TETHER_TEST_MEMCACHED_NODES");
    if (nodes == null || nodes.isBlank()) {
      if (Boolean.parseBoolean(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        throw new IllegalStateException(
            "TETHER_TEST_MEMCACHED_NODES is not set, and TETHER_REQUIRE_SERVICES=true"
                + " makes a missing Memcached a failure (bash .ci/services.sh starts three)");
      }
      Assumptions.abort(
          "TETHER_TEST_MEMCACHED_NODES is not set: skipping the Memcached end-to-end test");
    }
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (String part : nodes.split(",")) {
      String p = part.strip();
      int colon = p.lastIndexOf(':');
      addresses.add(
          new InetSocketAddress(p.substring(0, colon), Integer.parseInt(p.substring(colon + 1))));
    }
    String prefix = "tether:it:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    List<SessionStore> stores = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      stores.add(
          new MemcachedSessionStore(
              MemcachedSessionStoreConfig.of(addresses).withKeyPrefix(prefix), Clock.systemUTC()));
    }
    return of(stores);
  }

  /**
   * Three cookie stores, one per application instance, sharing only the key ring and a revocation
   * store (a memory store in this JVM standing for a shared Redis): the session itself travels in
   * the user's cookies.
   */
  static Stores cookie() {
    EncryptionKeys keys =
        EncryptionKeys.ofRaw("k1", Map.of("k1", new SecureRandom().generateSeed(32)));
    MemorySessionStore revocations = new MemorySessionStore(Clock.systemUTC());
    CookieStoreSettings settings = CookieStoreSettings.defaults().withCookieName("TSESSION");
    return new Stores() {
      @Override
      public SessionStore store(int i) {
        return new CookieSessionStore(
            keys, settings, revocations, Clock.systemUTC(), new SecureRandom());
      }

      @Override
      public void close() {}
    };
  }

  /**
   * A three-member grid (2 owners) on free loopback ports, one member per application instance,
   * named {@code app1..app3} (the instance names the balancer's pool uses, so the filter's {@code
   * Tether-Session-Owners} mean something to it).
   */
  static Stores grid() {
    List<Integer> ports = FreePorts.loopback(3);
    List<InetSocketAddress> all =
        ports.stream().map(p -> new InetSocketAddress("127.0.0.1", p)).toList();
    String cluster = "tether-it-" + UUID.randomUUID();
    List<GridMember> members = new ArrayList<>();
    for (int port : ports) {
      members.add(
          GridMember.start(
              new GridSettings(
                      cluster,
                      "127.0.0.1",
                      port,
                      0,
                      all,
                      2,
                      null,
                      Duration.ofSeconds(1),
                      Duration.ofMinutes(15))
                  .withInstanceName("app" + (members.size() + 1))));
    }
    List<GridSessionStore> stores =
        members.stream().map(m -> new GridSessionStore(m, Clock.systemUTC())).toList();
    return new Stores() {
      @Override
      public SessionStore store(int i) {
        return stores.get(i);
      }

      @Override
      public void stop(int i) {
        members.get(i).close();
      }

      @Override
      public void close() {
        for (int i = members.size() - 1; i >= 0; i--) {
          members.get(i).close();
        }
      }
    };
  }
}
