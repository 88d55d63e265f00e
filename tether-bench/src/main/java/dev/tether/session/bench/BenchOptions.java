package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The options of {@code tether bench store} ({@link StoreCommand} reads them; this record validates
 * them with messages that name the option and what is allowed).
 *
 * @param stores the stores to measure, in order
 * @param settings how long and how hard
 * @param json where to write the results as JSON, or {@code null}
 */
public record BenchOptions(List<StoreTarget> stores, BenchSettings settings, Path json) {

  public BenchOptions {
    stores = List.copyOf(requireNonNull(stores, "stores"));
    requireNonNull(settings, "settings");
    if (stores.isEmpty()) {
      throw new IllegalArgumentException(
          "no store to measure; allowed: " + StoreTarget.allLabels());
    }
  }

  /**
   * Parses {@code args}.
   *
   * @throws IllegalArgumentException naming the bad option and what is allowed
   */
  public static BenchOptions parse(String... args) {
    BenchSettings d = BenchSettings.defaults();
    List<StoreTarget> stores = List.of(StoreTarget.values());
    int threads = d.threads();
    int sessions = d.sessions();
    Duration warmup = d.warmup();
    int rounds = d.rounds();
    Duration round = d.round();
    Path json = null;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--help") || option.equals("-h")) {
        throw new IllegalArgumentException("help requested");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(option + " needs a value, or is unknown");
      }
      String value = args[++i];
      switch (option) {
        case "--stores" -> stores = stores(value);
        case "--threads" -> threads = whole(option, value);
        case "--sessions" -> sessions = whole(option, value);
        case "--warmup" -> warmup = seconds(option, value, true);
        case "--rounds" -> rounds = whole(option, value);
        case "--seconds" -> round = seconds(option, value, false);
        case "--json" -> json = Path.of(value);
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + option
                    + "; allowed: --stores --threads --sessions --warmup --rounds --seconds --json");
      }
    }
    return new BenchOptions(
        stores, new BenchSettings(threads, sessions, warmup, rounds, round), json);
  }

  private static List<StoreTarget> stores(String list) {
    LinkedHashSet<StoreTarget> out = new LinkedHashSet<>();
    for (String name : list.split(",")) {
      if (!name.isBlank()) {
        out.add(StoreTarget.byLabel(name));
      }
    }
    return new ArrayList<>(out);
  }

  private static int whole(String option, String value) {
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + " is '" + value + "'; allowed: a whole number", e);
    }
  }

  private static Duration seconds(String option, String value, boolean zeroAllowed) {
    double s;
    try {
      s = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + " is '" + value + "'; allowed: seconds, e.g. 5 or 0.5", e);
    }
    if (!(s > 0 || (zeroAllowed && s == 0)) || s > 3600) {
      throw new IllegalArgumentException(
          option
              + " is '"
              + value
              + "'; allowed: "
              + (zeroAllowed ? "0" : "more than 0")
              + " to 3600 seconds");
    }
    return Duration.ofNanos((long) (s * 1e9));
  }
}
