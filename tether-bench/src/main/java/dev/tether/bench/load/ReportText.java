package dev.tether.bench.load;

import dev.tether.bench.load.chaos.ChaosOutcome;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/** The text forms of a run: the progress line and the final report. */
public final class ReportText {

  private ReportText() {}

  /** One progress line: the last interval's rate and latency, and the run's counts so far. */
  static String progress(
      double elapsedSeconds,
      Histogram interval,
      double intervalSeconds,
      LoadStats s,
      Map<String, Integer> users) {
    return String.format(
        Locale.ROOT,
        "%5.0fs  %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d  failed %d (+%d at kill)  lost %d  users %s",
        elapsedSeconds,
        interval.getTotalCount() / intervalSeconds,
        ms(interval.getValueAtPercentile(50)),
        ms(interval.getValueAtPercentile(99)),
        s.errors.sum(),
        s.failures.sum(),
        s.failuresAtKill.sum(),
        s.lost.sum(),
        spread(users));
  }

  static String spread(Map<String, Integer> users) {
    return users.isEmpty()
        ? "-"
        : users.entrySet().stream()
            .map(e -> e.getKey() + ":" + e.getValue())
            .collect(Collectors.joining(" "));
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }

  /** The final report. */
  public static String format(LoadReport r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "tether bench: %s scenario, %d users, %.0f s, %s model%s, %s%n",
            r.scenario(),
            r.users(),
            r.seconds(),
            r.model(),
            r.rate() == null ? "" : String.format(Locale.ROOT, " at %.0f req/s", r.rate()),
            r.url()));
    b.append(
        String.format(
            Locale.ROOT, "  requests        %d (%.0f/s)%n", r.requests(), r.requestsPerSecond()));
    LoadReport.Latency l = r.latencyMillis();
    b.append(
        String.format(
            Locale.ROOT,
            "  latency ms      p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%s%n",
            l.p50(),
            l.p90(),
            l.p99(),
            l.p999(),
            l.max(),
            r.rate() == null ? "" : "  (from the intended send time)"));
    b.append(String.format(Locale.ROOT, "  lost sessions   %d%n", r.lostSessions()));
    b.append(
        String.format(
            Locale.ROOT,
            "  failed requests %d  (+%d POSTs in flight on a killed instance, allowed)%n",
            r.failures(),
            r.failuresAtKill()));
    b.append(String.format(Locale.ROOT, "  errors          %d%n", r.errors()));
    b.append("  served by       ")
        .append(
            r.perInstance().isEmpty()
                ? "-"
                : r.perInstance().entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", ")))
        .append('\n');
    for (ChaosOutcome c : r.chaos()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  chaos %-22s at %6.1fs  %s  %s  re-pin %s%n",
              c.action(),
              c.atMillis() / 1000.0,
              c.status() == 0 ? "not sent" : Integer.toString(c.status()),
              c.target() == null ? "" : "(" + c.target() + ")",
              c.rePinMillis() == null ? "never" : c.rePinMillis() + " ms"));
      if (c.status() < 200 || c.status() > 299) {
        b.append("      ").append(c.message()).append('\n');
      }
    }
    appendSamples(b, "lost sessions", r.lostSamples());
    appendSamples(b, "errors and failures", r.errorSamples());
    return b.toString();
  }

  private static void appendSamples(StringBuilder b, String title, java.util.List<Sample> samples) {
    if (samples.isEmpty()) {
      return;
    }
    b.append("  first ").append(title).append(":\n");
    for (Sample s : samples) {
      b.append(
          String.format(
              Locale.ROOT,
              "    %7.1fs user %d on %s: %s%n        expected %s%n        got      %s%n",
              s.atMillis() / 1000.0,
              s.user(),
              s.instance() == null ? "?" : s.instance(),
              s.request(),
              s.expected(),
              s.got()));
    }
  }
}
