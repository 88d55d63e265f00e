package dev.tether.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and latency of a run, written by the event loops (wait-free: {@link LongAdder} and
 * HdrHistogram's {@link Recorder}) and read by the progress thread.
 */
public final class LoadStats {

  /** Samples kept per kind. */
  public static final int SAMPLES = 10;

  private static final long MAX_NANOS = 3_600_000_000_000L;

  final LongAdder requests = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder failures = new LongAdder();
  final LongAdder failuresAtKill = new LongAdder();
  final LongAdder lost = new LongAdder();
  private final Recorder recorder = new Recorder(MAX_NANOS, 3);
  private final Histogram total = new Histogram(MAX_NANOS, 3);
  private final Map<String, LongAdder> perInstance = new ConcurrentHashMap<>();
  private final List<Sample> lostSamples = new ArrayList<>();
  private final List<Sample> errorSamples = new ArrayList<>();

  /** Records one answered or failed request's latency in nanoseconds. */
  public void latency(long nanos) {
    recorder.recordValue(Math.min(Math.max(nanos, 0), MAX_NANOS));
  }

  void servedBy(String instance) {
    if (instance != null) {
      perInstance.computeIfAbsent(instance, k -> new LongAdder()).increment();
    }
  }

  void lost(Sample s) {
    lost.increment();
    synchronized (lostSamples) {
      if (lostSamples.size() < SAMPLES) {
        lostSamples.add(s);
      }
    }
  }

  void error(Sample s, boolean failure, boolean atKill) {
    (failure ? (atKill ? failuresAtKill : failures) : errors).increment();
    synchronized (errorSamples) {
      if (errorSamples.size() < SAMPLES) {
        errorSamples.add(s);
      }
    }
  }

  /** The latency recorded since the last call, also added to the run's total. */
  public synchronized Histogram interval() {
    Histogram h = recorder.getIntervalHistogram();
    total.add(h);
    return h;
  }

  /** The whole run's latency so far (call {@link #interval} first to fold in the latest). */
  public synchronized Histogram total() {
    return total.copy();
  }

  /** Requests answered per instance. */
  public Map<String, Long> perInstance() {
    Map<String, Long> out = new TreeMap<>();
    perInstance.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  List<Sample> lostSamples() {
    synchronized (lostSamples) {
      return List.copyOf(lostSamples);
    }
  }

  List<Sample> errorSamples() {
    synchronized (errorSamples) {
      return List.copyOf(errorSamples);
    }
  }
}
