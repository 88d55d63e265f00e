package dev.tether.session.redis;

import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * A rough single-thread figure for saves and loads per second against a real Redis; not a test (no
 * timing assertions) and not a JMH benchmark. Each save sets two attributes of ~200 bytes and
 * records an access; each load reads a session of ~10 attributes.
 *
 * <pre>
 * ./mvnw -q -B -pl tether-session-redis -am test-compile
 * ./mvnw -q -B -pl tether-session-redis dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp tether-session-redis/target/test-classes:tether-session-redis/target/classes:$(cat /tmp/cp.txt) \
 *   dev.tether.session.redis.RedisStoreThroughput redis://127.0.0.1:6379 20000
 * </pre>
 */
public final class RedisStoreThroughput {

  private RedisStoreThroughput() {}

  public static void main(String[] args) {
    String uri = args.length > 0 ? args[0] : "redis://127.0.0.1:6379";
    int ops = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    String prefix = RedisTestServer.uniquePrefix("throughput");
    Clock clock = Clock.systemUTC();
    byte[] value = "x".repeat(200).getBytes(StandardCharsets.UTF_8);
    try (RedisSessionStore store =
        new RedisSessionStore(
            RedisSessionStoreConfig.standalone(uri).withKeyPrefix(prefix), clock)) {
      String[] ids = new String[1000];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = "t" + UUID.randomUUID().toString().replace("-", "");
        Map<String, byte[]> attrs = new java.util.HashMap<>();
        for (int a = 0; a < 10; a++) {
          attrs.put("attr" + a, value);
        }
        store.create(
            SessionRecord.create(
                ids[i], clock.instant(), Duration.ofMinutes(30), Duration.ofHours(8), null, attrs));
      }
      for (int round = 0; round < 2; round++) {
        long commands = store.commandsSent();
        long t0 = System.nanoTime();
        for (int i = 0; i < ops; i++) {
          String id = ids[i % ids.length];
          store.save(
              SessionDelta.builder(id, 1)
                  .set("attr1", value)
                  .set("attr2", value)
                  .lastAccessedAt(clock.instant())
                  .build());
        }
        long t1 = System.nanoTime();
        long saveCommands = store.commandsSent() - commands;
        for (int i = 0; i < ops; i++) {
          store.load(ids[i % ids.length]).orElseThrow();
        }
        long t2 = System.nanoTime();
        long loadCommands = store.commandsSent() - commands - saveCommands;
        System.out.printf(
            "round %d: %d saves in %d ms = %.0f saves/s (%d commands); %d loads in %d ms = %.0f"
                + " loads/s (%d commands)%n",
            round,
            ops,
            (t1 - t0) / 1_000_000,
            ops * 1e9 / (t1 - t0),
            saveCommands,
            ops,
            (t2 - t1) / 1_000_000,
            ops * 1e9 / (t2 - t1),
            loadCommands);
      }
    } finally {
      RedisTestServer.deleteKeys(uri, prefix);
    }
  }
}
