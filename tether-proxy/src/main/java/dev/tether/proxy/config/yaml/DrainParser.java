package dev.tether.proxy.config.yaml;

import dev.tether.balance.affinity.DrainMode;
import dev.tether.proxy.config.DrainConfig;
import dev.tether.proxy.config.NameRules;
import dev.tether.proxy.config.PoolConfig;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code pools.<pool>.drain}; see {@link DrainConfig} for the keys and their defaults. */
final class DrainParser {

  private static final Pattern RATE = Pattern.compile("(\\d{1,6})/s");

  private DrainParser() {}

  /** The section's settings; invalid values are reported and replaced by their defaults. */
  static DrainConfig read(YamlSection s, PoolConfig.SessionsMode sessions) {
    DrainConfig d = DrainConfig.DEFAULTS;
    DrainMode mode = s.choice("mode", DrainMode.class, d.mode());
    if (mode == DrainMode.BOUNDARY && sessions != PoolConfig.SessionsMode.REPLICATED) {
      s.error(
          "mode",
          "boundary moves live sessions to other servers and needs `sessions: replicated` on the pool"
              + " (sessions is "
              + NameRules.configName(sessions)
              + "), or the moved users lose their sessions;"
              + " use soft or hard, or declare the sessions replicated");
    }
    Duration boundaryIdle = s.duration("boundary-idle", d.boundaryIdle(), Duration.ofSeconds(1));
    if (s.has("boundary-idle") && mode != DrainMode.BOUNDARY) {
      s.errorAtKey(
          "boundary-idle",
          "applies to mode boundary only (mode is " + NameRules.configName(mode) + ")");
    }
    int rate = rate(s, d.tunnelCloseRate());
    Duration deadline = s.duration("deadline", null, Duration.ofSeconds(1));
    s.finish();
    return new DrainConfig(mode, boundaryIdle, rate, deadline);
  }

  private static int rate(YamlSection s, int def) {
    String text = s.text("tunnel-close-rate", null);
    if (text == null) {
      return def;
    }
    Matcher m = RATE.matcher(text.strip());
    int n = m.matches() ? Integer.parseInt(m.group(1)) : -1;
    if (n < 1 || n > DrainConfig.MAX_TUNNEL_CLOSE_RATE) {
      s.error(
          "tunnel-close-rate",
          "'"
              + text
              + "' is not a rate; use 1/s.."
              + DrainConfig.MAX_TUNNEL_CLOSE_RATE
              + "/s tunnels per second, e.g. 10/s");
      return def;
    }
    return n;
  }
}
