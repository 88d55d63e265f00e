package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

import dev.tether.session.redis.RedisSessionStore;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts Redis round trips and commands, so neither is an estimate.
 *
 * <ul>
 *   <li><b>Client:</b> every command the store's Lettuce connection sent ({@link
 *       RedisSessionStore#commandsSent()}, a Lettuce command listener). One command is one round
 *       trip.
 *   <li><b>Server, round trips:</b> {@code total_reads_processed} of {@code INFO}, the requests the
 *       server read from its sockets. With one caller waiting for each reply every command is one
 *       read, so over a single-thread pass this counts round trips as the server saw them.
 *   <li><b>Server, commands:</b> the {@code calls} of {@code INFO commandstats} per command. These
 *       include the commands a Lua script runs inside the server ({@code redis.call}), which cost
 *       no round trip: a save shows one {@code EVALSHA} plus the script's own calls.
 * </ul>
 *
 * <p>The server counts every client, so its figures are this store's alone only while nobody else
 * uses the server: {@link Calls#exclusive} tells. Each snapshot is one {@code INFO all} over a
 * separate connection, whose own read is subtracted.
 */
public final class RedisCommandCounter implements AutoCloseable {

  private final RedisSessionStore store;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> admin;

  /** Counts for {@code store}, reading server statistics from the Redis at {@code uri}. */
  public RedisCommandCounter(RedisSessionStore store, String uri) {
    this.store = requireNonNull(store, "store");
    this.client = RedisClient.create(requireNonNull(uri, "uri"));
    try {
      this.connection = client.connect();
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw new IllegalStateException("cannot open the Redis statistics connection", e);
    }
    this.admin = connection.sync();
  }

  /** A snapshot of both counters; subtract two with {@link Snapshot#until}. */
  public Snapshot snapshot() {
    long client = store.commandsSent();
    String info = admin.info("all");
    return new Snapshot(client, field(info, "total_reads_processed"), commandCalls(info));
  }

  /** The server's {@code redis_version}. */
  public String serverVersion() {
    String info = admin.info("server");
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("redis_version:")) {
        return line.substring("redis_version:".length()).strip();
      }
    }
    return "unknown";
  }

  private static long field(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return Long.parseLong(line.substring(name.length() + 1).strip());
      }
    }
    throw new IllegalStateException("INFO has no " + name + " (Redis 6 or later needed)");
  }

  /** Deletes every key starting with {@code prefix}; returns how many. */
  public long deleteKeys(String prefix) {
    ScanArgs match =
        ScanArgs.Builder.matches(prefix.replaceAll("([\\\\*?\\[\\]])", "\\\\$1") + "*").limit(1000);
    long deleted = 0;
    KeyScanCursor<String> cursor = admin.scan(ScanCursor.INITIAL, match);
    while (true) {
      if (!cursor.getKeys().isEmpty()) {
        deleted += admin.unlink(cursor.getKeys().toArray(String[]::new));
      }
      if (cursor.isFinished()) {
        return deleted;
      }
      cursor = admin.scan(cursor, match);
    }
  }

  private static Map<String, Long> commandCalls(String info) {
    Map<String, Long> calls = new TreeMap<>();
    for (String line : info.split("\r?\n")) {
      // cmdstat_evalsha:calls=12,usec=340,usec_per_call=28.33,rejected_calls=0,failed_calls=0
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      int colon = line.indexOf(':');
      int start = line.indexOf("calls=", colon);
      int end = line.indexOf(',', start);
      if (colon < 0 || start < 0) {
        throw new IllegalStateException("unexpected INFO commandstats line: " + line);
      }
      calls.put(
          line.substring("cmdstat_".length(), colon),
          Long.parseLong(line.substring(start + "calls=".length(), end < 0 ? line.length() : end)));
    }
    return calls;
  }

  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /**
   * The counters at one moment.
   *
   * @param client commands the store had sent
   * @param reads requests the server had read, all clients together
   * @param server calls per command name the server had executed, all clients together
   */
  public record Snapshot(long client, long reads, Map<String, Long> server) {

    public Snapshot {
      server = Map.copyOf(server);
    }

    /**
     * What happened between this snapshot and {@code later}. This counter's own {@code INFO} calls
     * are left out.
     */
    public Calls until(Snapshot later) {
      Map<String, Long> delta = new TreeMap<>();
      later.server.forEach(
          (cmd, n) -> {
            long d = n - server.getOrDefault(cmd, 0L);
            if (d != 0 && !cmd.equals("info")) {
              delta.put(cmd, d);
            }
          });
      return new Calls(later.client - client, later.reads - reads - 1, delta);
    }
  }

  /**
   * Counts over an interval.
   *
   * @param client commands the store sent (its round trips)
   * @param reads requests the server read from all clients
   * @param server calls per command name the server executed, script-internal calls included
   *     ({@code info} excluded)
   */
  public record Calls(long client, long reads, Map<String, Long> server) {

    public Calls {
      server = Map.copyOf(new TreeMap<>(server));
    }

    /** Whether the server read exactly the store's requests, i.e. no other client was busy. */
    public boolean exclusive() {
      return reads == client;
    }

    /** Nothing. */
    public static Calls none() {
      return new Calls(0, 0, Map.of());
    }
  }
}
