package dev.tether.bench.idle;

import static java.util.Objects.requireNonNull;

import dev.tether.bench.load.LoadTarget;
import java.net.URI;
import java.time.Duration;

/**
 * What {@code tether bench idle} does, validated.
 *
 * @param target the balancer's listener
 * @param connections idle connections to open and hold
 * @param pid the balancer process ({@code null}: found by the process listening on the port)
 * @param request send one request on each connection (and read its response) before idling
 * @param warmup connections opened, used once and closed before the first reading, so one-time
 *     costs (class loading, the allocator's first chunks) are not counted per connection
 * @param settle how long the connections idle before the second reading
 * @param admin the balancer's admin API for heap figures ({@code null}: none)
 * @param path the path the requests ask for
 * @param gc ask the balancer's JVM for a full collection ({@code jcmd PID GC.run}) before each
 *     reading, so they compare live sets
 */
public record IdleSettings(
    LoadTarget target,
    int connections,
    Long pid,
    boolean request,
    int warmup,
    Duration settle,
    URI admin,
    String path,
    boolean gc) {

  public IdleSettings {
    requireNonNull(target, "target");
    requireNonNull(settle, "settle");
    requireNonNull(path, "path");
  }
}
