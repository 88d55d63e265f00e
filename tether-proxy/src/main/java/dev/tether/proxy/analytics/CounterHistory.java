package dev.tether.proxy.analytics;

/**
 * Readings of a set of monotonic counters at ticker times, kept for a bounded span, to answer "how
 * much did each grow over the last {@code window}". Written by one sampling thread, read under the
 * same lock by others (a handful of times per second; not the data plane).
 */
final class CounterHistory {

  private final int width;
  private final long[] times;
  private final double[][] values;
  private int size;
  private int head; // index of the newest reading

  /**
   * @param capacity readings kept (span = capacity × sampling period)
   * @param width counters per reading
   */
  CounterHistory(int capacity, int width) {
    this.width = width;
    this.times = new long[capacity];
    this.values = new double[capacity][width];
  }

  /** Adds a reading; a counter that went down (its source was rebuilt) restarts the history. */
  synchronized void add(long nanos, double[] reading) {
    if (size > 0) {
      double[] last = values[head];
      for (int i = 0; i < width; i++) {
        if (reading[i] < last[i]) {
          size = 0;
          break;
        }
      }
    }
    head = size == 0 ? 0 : (head + 1) % times.length;
    times[head] = nanos;
    System.arraycopy(reading, 0, values[head], 0, width);
    size = Math.min(size + 1, times.length);
  }

  /**
   * Growth of every counter from the oldest reading within {@code windowNanos} of the newest to the
   * newest, followed by the elapsed seconds; {@code null} with fewer than two readings.
   */
  synchronized double[] growth(long windowNanos) {
    if (size < 2) {
      return null;
    }
    long newest = times[head];
    int oldest = head;
    for (int k = 1; k < size; k++) {
      int idx = Math.floorMod(head - k, times.length);
      if (newest - times[idx] > windowNanos) {
        break;
      }
      oldest = idx;
    }
    if (oldest == head) {
      oldest = Math.floorMod(head - 1, times.length);
    }
    double[] out = new double[width + 1];
    for (int i = 0; i < width; i++) {
      out[i] = values[head][i] - values[oldest][i];
    }
    out[width] = (newest - times[oldest]) / 1e9;
    return out;
  }
}
