package dev.tether.proxy.analytics;

/**
 * Quantiles from cumulative histogram buckets, the way Prometheus's {@code histogram_quantile}
 * estimates them: find the bucket holding the rank, interpolate linearly inside it (from 0 for the
 * first bucket); a rank in the {@code +Inf} bucket answers the highest finite bound.
 */
final class Buckets {

  private Buckets() {}

  /**
   * @param bounds upper bounds, ascending, the last may be {@code +Inf}
   * @param cumulative observations at or below each bound
   * @return the {@code q} quantile, or {@code NaN} when there are no observations
   */
  static double quantile(double[] bounds, double[] cumulative, double q) {
    int n = bounds.length;
    if (n == 0 || cumulative[n - 1] <= 0) {
      return Double.NaN;
    }
    double total = cumulative[n - 1];
    double rank = q * total;
    for (int i = 0; i < n; i++) {
      if (cumulative[i] >= rank) {
        if (Double.isInfinite(bounds[i])) {
          return i == 0 ? Double.NaN : bounds[i - 1];
        }
        double lower = i == 0 ? 0 : bounds[i - 1];
        double below = i == 0 ? 0 : cumulative[i - 1];
        double inBucket = cumulative[i] - below;
        return inBucket <= 0 ? bounds[i] : lower + (bounds[i] - lower) * (rank - below) / inBucket;
      }
    }
    return bounds[n - 1];
  }
}
