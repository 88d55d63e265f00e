package dev.tether.proxy.config;

import java.util.ArrayList;
import java.util.List;

/**
 * HTTP statuses a health check accepts ({@code expect-status}): one or more inclusive ranges of
 * 100..599, written {@code 200}, {@code 200-399} or a list of those.
 *
 * <pre>{@code
 * StatusRanges.parse("200-399").matches(302);   // true
 * }</pre>
 *
 * @param ranges the ranges in file order, at least one; each {@code [low, high]} with low &lt;=
 *     high
 */
public record StatusRanges(List<Range> ranges) {

  /** What a check accepts unless told otherwise: 2xx and 3xx, as HAProxy's {@code httpchk}. */
  public static final StatusRanges DEFAULT = new StatusRanges(List.of(new Range(200, 399)));

  /** One inclusive range of statuses. */
  public record Range(int low, int high) {
    public Range {
      if (low < 100 || high > 599 || low > high) {
        throw new IllegalArgumentException(
            "status range " + low + "-" + high + " is not within 100..599 low to high");
      }
    }

    @Override
    public String toString() {
      return low == high ? Integer.toString(low) : low + "-" + high;
    }
  }

  public StatusRanges {
    ranges = List.copyOf(ranges);
    if (ranges.isEmpty()) {
      throw new IllegalArgumentException("at least one status range is needed");
    }
  }

  /** Whether {@code status} is in one of the ranges. */
  public boolean matches(int status) {
    for (Range r : ranges) {
      if (status >= r.low() && status <= r.high()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses one item, {@code 200} or {@code 200-399}.
   *
   * @throws IllegalArgumentException saying what is allowed
   */
  public static Range parseRange(String text) {
    String t = text.strip();
    String allowed =
        "'" + text + "' is not a status or range; use a status 100..599 or a range like 200-399";
    if (!t.matches("\\d{3}(\\s*-\\s*\\d{3})?")) {
      throw new IllegalArgumentException(allowed);
    }
    int dash = t.indexOf('-');
    int low = Integer.parseInt((dash < 0 ? t : t.substring(0, dash)).strip());
    int high = dash < 0 ? low : Integer.parseInt(t.substring(dash + 1).strip());
    if (low < 100 || high > 599 || low > high) {
      throw new IllegalArgumentException(allowed);
    }
    return new Range(low, high);
  }

  /** Parses {@code 200}, {@code 200-399} or {@code 200, 300-399} (comma-separated). */
  public static StatusRanges parse(String text) {
    List<Range> out = new ArrayList<>();
    for (String item : text.split(",")) {
      out.add(parseRange(item));
    }
    return new StatusRanges(out);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Range r : ranges) {
      if (!sb.isEmpty()) {
        sb.append(", ");
      }
      sb.append(r);
    }
    return sb.toString();
  }
}
