package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/** Formats the outcomes of a run as the plain-text report the benchmark prints. */
public final class ResultTable {

  /** Spring Session's indexed Redis repository, for comparison (spring-session issue #1182). */
  static final String SPRING_SESSION_REFERENCE =
      "reference: Spring Session's indexed Redis repository sends ~7 commands per request"
          + " (spring-session#1182)";

  private static final String ROW = "%-18s %11s %8s %8s  %11s %8s %8s  %11s %8s %8s  %10s  %s%n";

  private ResultTable() {}

  /** The report: a header line with the settings, one row per store, then the Redis counts. */
  public static String format(BenchSettings settings, List<StoreOutcome> outcomes) {
    requireNonNull(settings, "settings");
    requireNonNull(outcomes, "outcomes");
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "Session store benchmark: %d threads (closed loop, each owns its sessions), %d sessions"
                + " x %d attributes x %d B;%n  save = 1 attribute + last access (delta); load ="
                + " full read; near req = open + read 1 + change 1 + commit via SessionManager over"
                + " NearCacheStore;%n  %s s warm-up, %d rounds x %s s per operation, throughput ="
                + " median round, latency over all rounds; Java %s, %d CPUs%n%n",
            settings.threads(),
            settings.sessions(),
            BenchSettings.ATTRIBUTES,
            BenchSettings.VALUE_BYTES,
            seconds(settings.warmup().toMillis()),
            settings.rounds(),
            seconds(settings.round().toMillis()),
            Runtime.version().feature(),
            Runtime.getRuntime().availableProcessors()));
    out.append(
        String.format(
            Locale.ROOT,
            ROW,
            "store",
            "saves/s",
            "p50 µs",
            "p99 µs",
            "loads/s",
            "p50 µs",
            "p99 µs",
            "near req/s",
            "p50 µs",
            "p99 µs",
            "full reads",
            "Redis cmds save/load/near"));
    for (StoreOutcome o : outcomes) {
      StoreResult r = o.result();
      if (r == null) {
        out.append(String.format(Locale.ROOT, "%-18s %s%n", o.store(), o.status()));
        continue;
      }
      String redis =
          r.redis() == null
              ? "-"
              : String.format(
                  Locale.ROOT,
                  "%.2f / %.2f / %.2f",
                  r.redis().clientPerSave(),
                  r.redis().clientPerLoad(),
                  r.redis().clientPerNearRequest());
      out.append(
          String.format(
              Locale.ROOT,
              ROW,
              o.store(),
              rate(r.saves().perSecond()),
              micros(r.saves().p50Micros()),
              micros(r.saves().p99Micros()),
              rate(r.loads().perSecond()),
              micros(r.loads().p50Micros()),
              micros(r.loads().p99Micros()),
              rate(r.nearRequests().perSecond()),
              micros(r.nearRequests().p50Micros()),
              micros(r.nearRequests().p99Micros()),
              String.format(Locale.ROOT, "%d", r.nearCache().fullReads()),
              redis));
    }
    out.append(
        "\nfull reads = loads that reached the store during the timed near-cache requests (target"
            + " 0: a sticky request is a version check, never a full read)\n");
    for (StoreOutcome o : outcomes) {
      StoreResult r = o.result();
      if (r != null) {
        failures(out, r.store(), "saves", r.saves());
        failures(out, r.store(), "loads", r.loads());
        failures(out, r.store(), "near-cache requests", r.nearRequests());
        out.append(
            String.format(
                Locale.ROOT,
                "%-18s %s; throughput range over rounds: saves %s-%s, loads %s-%s, near %s-%s%n",
                r.store(),
                r.detail(),
                rate(r.saves().minPerSecond()),
                rate(r.saves().maxPerSecond()),
                rate(r.loads().minPerSecond()),
                rate(r.loads().maxPerSecond()),
                rate(r.nearRequests().minPerSecond()),
                rate(r.nearRequests().maxPerSecond())));
      }
    }
    for (StoreOutcome o : outcomes) {
      if (o.result() != null && o.result().redis() != null) {
        redis(out, o.result().redis());
      }
    }
    return out.toString();
  }

  private static void redis(StringBuilder out, StoreResult.Redis r) {
    out.append(
        String.format(
            Locale.ROOT,
            "%nRedis round trips per operation. client = commands the store's Lettuce connection"
                + " sent, all timed rounds;%n  server = requests Redis read (INFO"
                + " total_reads_processed) in a single-thread pass of %d operations, and the"
                + " commands it%n  executed (INFO commandstats; calls a Lua script makes inside"
                + " Redis included, they cost no round trip):%n",
            r.serverSave().ops()));
    serverLine(out, "per save", r.clientPerSave(), r.serverSave());
    serverLine(out, "per load", r.clientPerLoad(), r.serverLoad());
    serverLine(out, "per near-cache request", r.clientPerNearRequest(), r.serverNearRequest());
    out.append("  ").append(SPRING_SESSION_REFERENCE).append('\n');
  }

  private static void serverLine(
      StringBuilder out, String what, double client, StoreResult.ServerCount server) {
    out.append(
        String.format(
            Locale.ROOT,
            "  %-23s client %.2f, server %.2f%s; executed %s%n",
            what,
            client,
            server.readsPerOp(),
            server.exclusive()
                ? ""
                : " (other clients were active in all "
                    + server.attempts()
                    + " passes: an upper"
                    + " bound)",
            server.breakdown()));
  }

  private static void failures(StringBuilder out, String store, String what, StoreResult.Phase p) {
    if (p.failures() > 0) {
      out.append(
          String.format(
              Locale.ROOT,
              "%-18s %d of %d %s failed, first: %s%n",
              store,
              p.failures(),
              p.ops(),
              what,
              p.firstFailure()));
    }
  }

  private static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%,.0f", perSecond);
  }

  private static String micros(double us) {
    return us < 100
        ? String.format(Locale.ROOT, "%.1f", us)
        : String.format(Locale.ROOT, "%,.0f", us);
  }

  private static String seconds(long millis) {
    return millis % 1000 == 0
        ? Long.toString(millis / 1000)
        : String.format(Locale.ROOT, "%.1f", millis / 1000.0);
  }
}
