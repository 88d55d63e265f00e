package dev.tether.bench.idle;

import java.util.Locale;

/**
 * What {@code tether bench idle} measured. Sizes in KiB, as {@code /proc} reports them; heap
 * figures are {@code null} without a readable admin API.
 *
 * @param url the balancer
 * @param pid the measured process
 * @param connections connections asked for
 * @param opened connections opened (and, with {@code request}, answered)
 * @param stillOpen connections still open at the second reading
 * @param request whether each connection carried one request before idling
 * @param warmup connections opened and closed before the first reading
 * @param settleMillis how long the connections idled before the second reading
 * @param gc whether a full GC ran in the process before each reading
 * @param rssBeforeKiB the process's resident set before
 * @param rssMiddleKiB the resident set with the first half of the connections open and idle
 * @param rssAfterKiB the resident set with the connections open and idle
 * @param kibPerConnection {@code (after - before) / stillOpen}
 * @param openAtMiddle connections open at the middle reading
 * @param marginalKiBPerConnection the second half's cost: {@code (after - middle) / (stillOpen -
 *     openAtMiddle)}, free of one-time costs that the first connections pay
 * @param openFilesBefore the process's open descriptors before
 * @param openFilesAfter its open descriptors with the connections open
 * @param heapBeforeBytes JVM heap in use before, or {@code null}
 * @param heapMiddleBytes JVM heap in use at the middle reading, or {@code null}
 * @param heapAfterBytes JVM heap in use after, or {@code null}
 * @param firstFailure why the first connection that could not be opened (or answered) failed, or
 *     {@code null}
 */
public record IdleReport(
    String url,
    long pid,
    int connections,
    int opened,
    int stillOpen,
    boolean request,
    int warmup,
    long settleMillis,
    boolean gc,
    long rssBeforeKiB,
    long rssMiddleKiB,
    long rssAfterKiB,
    double kibPerConnection,
    int openAtMiddle,
    double marginalKiBPerConnection,
    int openFilesBefore,
    int openFilesAfter,
    Long heapBeforeBytes,
    Long heapMiddleBytes,
    Long heapAfterBytes,
    String firstFailure) {

  /** RSS growth in KiB. */
  public long rssGrowthKiB() {
    return rssAfterKiB - rssBeforeKiB;
  }

  /** Heap growth per open connection in KiB, or {@code null} without heap figures. */
  public Double heapKiBPerConnection() {
    if (heapBeforeBytes == null || heapAfterBytes == null || stillOpen == 0) {
      return null;
    }
    return (heapAfterBytes - heapBeforeBytes) / 1024.0 / stillOpen;
  }

  /**
   * Heap growth per connection over the second half in KiB, or {@code null} without heap figures.
   */
  public Double marginalHeapKiBPerConnection() {
    if (heapMiddleBytes == null || heapAfterBytes == null || stillOpen <= openAtMiddle) {
      return null;
    }
    return (heapAfterBytes - heapMiddleBytes) / 1024.0 / (stillOpen - openAtMiddle);
  }

  /** The plain-text report. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "idle connections  %d open of %d asked (%d opened%s), pid %d, %s%n",
            stillOpen,
            connections,
            opened,
            request ? ", one request each" : ", no request",
            pid,
            url));
    sb.append(
        String.format(
            Locale.ROOT,
            "RSS               %d KiB -> %d KiB (%+d KiB) after %d ms idle, warm-up %d%s%n",
            rssBeforeKiB,
            rssAfterKiB,
            rssGrowthKiB(),
            settleMillis,
            warmup,
            gc ? ", full GC before each reading" : ""));
    sb.append(String.format(Locale.ROOT, "per connection    %.2f KiB RSS%n", kibPerConnection));
    sb.append(
        String.format(
            Locale.ROOT,
            "second half       %.2f KiB RSS per connection (%d KiB -> %d KiB, %d -> %d open)%n",
            marginalKiBPerConnection,
            rssMiddleKiB,
            rssAfterKiB,
            openAtMiddle,
            stillOpen));
    sb.append(
        String.format(
            Locale.ROOT,
            "open files        %d -> %d (%+d)%n",
            openFilesBefore,
            openFilesAfter,
            openFilesAfter - openFilesBefore));
    Double heap = heapKiBPerConnection();
    if (heap != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              "heap used         %d KiB -> %d KiB (%.2f KiB per connection%s)%n",
              heapBeforeBytes / 1024,
              heapAfterBytes / 1024,
              heap,
              marginalHeapKiBPerConnection() == null
                  ? ""
                  : String.format(
                      Locale.ROOT, "; second half %.2f", marginalHeapKiBPerConnection())));
    }
    if (firstFailure != null) {
      sb.append("first failure     ").append(firstFailure).append(System.lineSeparator());
    }
    return sb.toString();
  }
}
