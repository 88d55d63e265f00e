package dev.tether.proxy.log;

import dev.tether.proxy.config.AccessLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one line per request to the {@code tether.access} logger: client, method, path, pool,
 * server, status, response body bytes, duration and, when something went wrong, the reason. The
 * logger is configured asynchronous in {@code logback.xml} so an event loop never waits on disk.
 */
public final class AccessLogger {

  private static final Logger ACCESS = LoggerFactory.getLogger("tether.access");

  private final boolean enabled;
  private final boolean json;

  public AccessLogger(AccessLog settings) {
    this.enabled = settings.enabled() && ACCESS.isInfoEnabled();
    this.json = settings.format() == AccessLog.Format.JSON;
  }

  public boolean enabled() {
    return enabled;
  }

  /**
   * One finished (or failed) request. Fields may be {@code null} when unknown; {@code affinity} is
   * the pool's affinity decision as {@code mode/outcome}, e.g. {@code cookie/hit}.
   */
  public record Entry(String client, String method, String path, String pool, String server,
      int status, long bytes, long durationMicros, String note, String affinity) {

    /** An entry without an affinity decision. */
    public Entry(String client, String method, String path, String pool, String server,
        int status, long bytes, long durationMicros, String note) {
      this(client, method, path, pool, server, status, bytes, durationMicros, note, null);
    }
  }

  public void log(Entry e) {
    if (!enabled()) {
      return;
    }
    if (json) {
      ACCESS.info(json(e));
    } else {
      ACCESS.info(plain(e));
    }
  }

  static String plain(Entry e) {
    StringBuilder sb = new StringBuilder(128);
    sb.append(dash(e.client())).append(' ').append(dash(e.method())).append(' ').append(dash(e.path()))
        .append(" pool=").append(dash(e.pool())).append(" server=").append(dash(e.server()))
        .append(" status=").append(e.status()).append(" bytes=").append(e.bytes())
        .append(" ms=").append(String.format("%.3f", e.durationMicros() / 1000.0));
    if (e.affinity() != null) {
      sb.append(" affinity=").append(e.affinity());
    }
    if (e.note() != null) {
      sb.append(" note=\"").append(e.note().replace('"', '\'')).append('"');
    }
    return sb.toString();
  }

  static String json(Entry e) {
    StringBuilder sb = new StringBuilder(192).append('{');
    field(sb, "client", e.client()).append(',');
    field(sb, "method", e.method()).append(',');
    field(sb, "path", e.path()).append(',');
    field(sb, "pool", e.pool()).append(',');
    field(sb, "server", e.server()).append(',');
    sb.append("\"status\":").append(e.status()).append(',');
    sb.append("\"bytes\":").append(e.bytes()).append(',');
    sb.append("\"duration_us\":").append(e.durationMicros());
    if (e.affinity() != null) {
      field(sb.append(','), "affinity", e.affinity());
    }
    if (e.note() != null) {
      field(sb.append(','), "note", e.note());
    }
    return sb.append('}').toString();
  }

  private static String dash(String s) {
    return s == null ? "-" : s;
  }

  private static StringBuilder field(StringBuilder sb, String name, String value) {
    sb.append('"').append(name).append("\":");
    if (value == null) {
      return sb.append("null");
    }
    sb.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"');
  }
}
