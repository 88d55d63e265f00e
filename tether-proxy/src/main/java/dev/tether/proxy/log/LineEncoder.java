package dev.tether.proxy.log;

import dev.tether.proxy.log.AccessLogger.Entry;

/**
 * Encodes an {@link Entry} as the bytes of one access-log line, straight into a {@link LineBytes}:
 * no string formatting, no boxing. The fields and their order are the access log's contract
 * (docs/access-log.md); {@link AccessLogger#plain} and {@link AccessLogger#json} print the same.
 */
final class LineEncoder {

  private LineEncoder() {}

  /**
   * The plain message: {@code client method path pool=P server=S status=N bytes=N ms=N.NNN
   * [affinity=mode/outcome] [note="…"]}, unknown fields as {@code -}.
   */
  static void plain(Entry e, LineBytes out) {
    dash(out, e.client()).ascii(' ');
    dash(out, e.method()).ascii(' ');
    dash(out, e.path()).ascii(" pool=");
    dash(out, e.pool()).ascii(" server=");
    dash(out, e.server())
        .ascii(" status=")
        .number(e.status())
        .ascii(" bytes=")
        .number(e.bytes())
        .ascii(" ms=")
        .millis3(e.durationMicros());
    if (e.affinity() != null) {
      out.ascii(" affinity=").utf8(e.affinity());
    }
    if (e.note() != null) {
      out.ascii(" note=\"").utf8NoQuotes(e.note()).ascii('"');
    }
  }

  /**
   * The JSON fields after the opening brace, without the closing one: {@code "client":…,
   * "method":…,"path":…,"pool":…,"server":…,"status":N,"bytes":N,"duration_us":N[,"affinity":…]
   * [,"note":…]}, unknown strings as {@code null}.
   */
  static void jsonFields(Entry e, LineBytes out) {
    field(out, "\"client\":", e.client()).ascii(',');
    field(out, "\"method\":", e.method()).ascii(',');
    field(out, "\"path\":", e.path()).ascii(',');
    field(out, "\"pool\":", e.pool()).ascii(',');
    field(out, "\"server\":", e.server()).ascii(',');
    out.ascii("\"status\":")
        .number(e.status())
        .ascii(",\"bytes\":")
        .number(e.bytes())
        .ascii(",\"duration_us\":")
        .number(e.durationMicros());
    if (e.affinity() != null) {
      field(out.ascii(','), "\"affinity\":", e.affinity());
    }
    if (e.note() != null) {
      field(out.ascii(','), "\"note\":", e.note());
    }
  }

  /** The whole plain line: time, a space, the message, a newline. */
  static void plainLine(Entry e, Timestamps time, LineBytes out) {
    time.append(out);
    out.ascii(' ');
    plain(e, out);
    out.ascii('\n');
  }

  /** The whole JSON line: {@code {"time":"…",} then the fields, {@code }} and a newline. */
  static void jsonLine(Entry e, Timestamps time, LineBytes out) {
    out.ascii("{\"time\":\"");
    time.append(out);
    out.ascii("\",");
    jsonFields(e, out);
    out.ascii("}\n");
  }

  private static LineBytes dash(LineBytes out, String s) {
    return s == null ? out.ascii('-') : out.utf8(s);
  }

  private static LineBytes field(LineBytes out, String nameColon, String value) {
    out.ascii(nameColon);
    return value == null ? out.ascii("null") : out.ascii('"').jsonEscaped(value).ascii('"');
  }
}
