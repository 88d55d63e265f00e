package dev.tether.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.testing.leak.LeakDetection;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The public value types, and the leak check itself. */
@ExtendWith(LeakDetection.class)
class FramingValuesTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    assertThat(FramingLimits.DEFAULTS).isEqualTo(new FramingLimits(8192, 16384, 100, 8192));
  }

  @Test
  void limitsRefuseOutOfRangeValuesWithTheAllowedRange() {
    assertThatThrownBy(() -> new FramingLimits(8, 16384, 100, 8192))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRequestLineBytes is 8; allowed: 16.." + FramingLimits.MAX_LIMIT);
    assertThatThrownBy(() -> new FramingLimits(8192, 0, 100, 8192))
        .hasMessageContaining("maxHeaderBytes is 0");
    assertThatThrownBy(() -> new FramingLimits(8192, 16384, -1, 8192))
        .hasMessageContaining("maxHeaderCount");
    assertThatThrownBy(() -> new FramingLimits(8192, 16384, 100, FramingLimits.MAX_LIMIT + 1))
        .hasMessageContaining("maxChunkSize");
  }

  @Test
  void violationMessageIsOneLine() {
    FramingViolation v = new FramingViolation(HttpResponseStatus.BAD_REQUEST, "obs-fold");
    assertThat(v.message()).isEqualTo("400 Bad Request: obs-fold");
    assertThatThrownBy(() -> new FramingViolation(HttpResponseStatus.BAD_REQUEST, "a\r\nb"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FramingViolation(null, "x"))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void leakCheckSeesALeakedBuffer() {
    leakOneBuffer();
    List<String> leaks = List.of();
    for (int attempt = 0; attempt < 20 && leaks.isEmpty(); attempt++) {
      leaks = LeakDetection.drainLeaks();
    }
    assertThat(leaks).isNotEmpty();
  }

  private static void leakOneBuffer() {
    ByteBufAllocator.DEFAULT.directBuffer(64).writeLong(42);
  }
}
