package dev.tether.proxy.health;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.WeightOverride;
import java.util.Locale;

/**
 * The agent headers of one health response, parsed: {@code Tether-State: drain|ready|down} and
 * {@code Tether-Weight: 50%} (a percentage 0..100 of the configured weight) or {@code
 * Tether-Weight: 7} (an absolute weight 0..256). A bad value is ignored, as if the header were
 * absent, and described in {@link #ignored()} so the checker can log it once.
 *
 * @param state what the server asks for; {@link AgentState#READY} when the header is absent or bad
 * @param weight the weight it asks for, or {@code null} (absent or bad: the configured weight)
 * @param ignored what was wrong with the headers, for the log, or {@code null} when nothing was
 */
public record AgentReport(AgentState state, WeightOverride weight, String ignored) {

  /** The state header's name. */
  public static final String STATE_HEADER = "Tether-State";

  /** The weight header's name. */
  public static final String WEIGHT_HEADER = "Tether-Weight";

  /** A response without agent headers. */
  public static final AgentReport NONE = new AgentReport(AgentState.READY, null, null);

  public AgentReport {
    requireNonNull(state, "state");
  }

  /**
   * Parses the two headers' values ({@code null} when absent). Values are trimmed; the state is
   * case-insensitive.
   */
  public static AgentReport parse(String stateValue, String weightValue) {
    AgentState state = AgentState.READY;
    String ignored = null;
    if (stateValue != null) {
      String v = stateValue.strip().toLowerCase(Locale.ROOT);
      switch (v) {
        case "ready" -> state = AgentState.READY;
        case "drain" -> state = AgentState.DRAIN;
        case "down" -> state = AgentState.DOWN;
        default ->
            ignored =
                STATE_HEADER + ": '" + printable(stateValue) + "' is not drain, ready or down";
      }
    }
    WeightOverride weight = null;
    if (weightValue != null) {
      weight = weight(weightValue.strip());
      if (weight == null) {
        String problem =
            WEIGHT_HEADER
                + ": '"
                + printable(weightValue)
                + "' is not a percentage 0%..100% or a weight 0.."
                + WeightOverride.MAX_WEIGHT;
        ignored = ignored == null ? problem : ignored + "; " + problem;
      }
    }
    if (state == AgentState.READY && weight == null && ignored == null) {
      return NONE;
    }
    return new AgentReport(state, weight, ignored);
  }

  private static WeightOverride weight(String v) {
    boolean percent = v.endsWith("%");
    String digits = percent ? v.substring(0, v.length() - 1) : v;
    if (!digits.matches("\\d{1,3}")) {
      return null;
    }
    int n = Integer.parseInt(digits);
    if (n > (percent ? 100 : WeightOverride.MAX_WEIGHT)) {
      return null;
    }
    return new WeightOverride(n, percent);
  }

  private static String printable(String v) {
    String cut = v.length() > 40 ? v.substring(0, 40) + "..." : v;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
