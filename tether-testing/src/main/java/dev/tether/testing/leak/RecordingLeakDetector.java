package dev.tether.testing.leak;

import io.netty.util.ResourceLeakDetector;

/**
 * Netty's leak detector, recording each report for {@link LeakDetection}. Installed for a whole
 * test JVM with {@code
 * -Dio.netty.customResourceLeakDetector=dev.tether.testing.leak.RecordingLeakDetector} (the proxy
 * modules' surefire configuration sets it), so it is in place before any buffer class is loaded.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

  @SuppressWarnings("deprecation")
  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
  }

  /** The constructor Netty's factory looks up first. */
  @SuppressWarnings("deprecation")
  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
    super(resourceType, samplingInterval);
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    LeakDetection.record(resourceType + " leak:" + records);
    super.reportTracedLeak(resourceType, records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    LeakDetection.record(resourceType + " leak (untraced)");
    super.reportUntracedLeak(resourceType);
  }
}
