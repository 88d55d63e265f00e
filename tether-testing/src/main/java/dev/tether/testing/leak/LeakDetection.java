package dev.tether.testing.leak;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails a test class when Netty's detector reported a leak during it. Use
 * with {@code @ExtendWith(LeakDetection.class)}; the test JVM must run with paranoid leak detection
 * and the {@link RecordingLeakDetector} (the proxy modules' surefire configuration sets both), so
 * every buffer is tracked and every report is recorded.
 *
 * <p>Leaks are only noticed after the garbage collector has cleared a leaked buffer and the
 * detector next runs, so after the tests it collects garbage and allocates tracked buffers a few
 * times before looking.
 */
public final class LeakDetection implements BeforeAllCallback, AfterAllCallback {

  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  @Override
  public void beforeAll(ExtensionContext context) {
    if (!installed()) {
      throw new IllegalStateException(
          "run tests with -Dio.netty.customResourceLeakDetector="
              + RecordingLeakDetector.class.getName()
              + " -Dio.netty.leakDetection.level=paranoid");
    }
    LEAKS.clear();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    assertNoLeaks();
  }

  /** Forces detection and throws {@link AssertionError} listing any leak seen so far. */
  public static void assertNoLeaks() {
    List<String> leaks = drainLeaks();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          leaks.size() + " ByteBuf leak(s) detected:\n" + String.join("\n----\n", leaks));
    }
  }

  /**
   * Collects garbage and allocates tracked buffers so that the detector reports what has leaked,
   * then returns and forgets every leak recorded so far.
   */
  public static List<String> drainLeaks() {
    for (int i = 0; i < 5; i++) {
      System.gc();
      System.runFinalization();
      List<ByteBuf> probes = new ArrayList<>();
      for (int j = 0; j < 64; j++) {
        probes.add(PooledByteBufAllocator.DEFAULT.buffer(16));
        probes.add(UnpooledByteBufAllocator.DEFAULT.buffer(16));
      }
      probes.forEach(ByteBuf::release);
    }
    List<String> copy = List.copyOf(LEAKS);
    LEAKS.removeAll(copy);
    return copy;
  }

  /** Leaks recorded so far (for tests of the detector itself). */
  public static List<String> leaks() {
    return List.copyOf(LEAKS);
  }

  static void record(String leak) {
    LEAKS.add(leak);
  }

  /** Whether the recording detector is installed (the system property was set). */
  public static boolean installed() {
    return RecordingLeakDetector.class
        .getName()
        .equals(System.getProperty("io.netty.customResourceLeakDetector"));
  }
}
