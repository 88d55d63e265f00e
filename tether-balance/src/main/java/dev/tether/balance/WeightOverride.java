package dev.tether.balance;

/**
 * A weight a server's own health responses asked for ({@code Tether-Weight}, HAProxy's agent
 * check), applied on top of its configured weight: either a percentage of the configured weight or
 * an absolute weight. The configured weight stays what the configuration (or an operator) set; the
 * pool balances with {@link #apply applied} weight.
 *
 * <pre>{@code
 * new WeightOverride(50, true).apply(4);   // 2
 * new WeightOverride(7, false).apply(4);   // 7
 * }</pre>
 *
 * @param value the percentage (0..100) or the absolute weight (0..256)
 * @param percent whether {@code value} is a percentage of the configured weight
 */
public record WeightOverride(int value, boolean percent) {

  /** The highest absolute weight, as in HAProxy. */
  public static final int MAX_WEIGHT = 256;

  public WeightOverride {
    int max = percent ? 100 : MAX_WEIGHT;
    if (value < 0 || value > max) {
      throw new IllegalArgumentException(
          (percent ? value + "%" : "weight " + value)
              + " is outside 0.."
              + max
              + (percent ? "%" : ""));
    }
  }

  /**
   * The weight to balance with, given the configured one: a percentage is rounded half up and is at
   * least 1 when both it and the configured weight are above 0 (1% must not drain a server).
   */
  public int apply(int configured) {
    if (!percent) {
      return value;
    }
    if (value == 0 || configured == 0) {
      return 0;
    }
    return (int) Math.max(1, (configured * (long) value + 50) / 100);
  }

  /** {@code 50%} or {@code 7}, as the header spells it. */
  @Override
  public String toString() {
    return percent ? value + "%" : Integer.toString(value);
  }
}
