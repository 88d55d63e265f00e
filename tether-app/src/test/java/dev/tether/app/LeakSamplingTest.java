package dev.tether.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The leak-tracking sample the command sets for Netty before it starts. */
class LeakSamplingTest {

  @Test
  void oneBufferInFourThousandIsTrackedUnlessTheUserSaysOtherwise() {
    Properties none = new Properties();
    TetherCommand.defaultLeakSampling(none);
    assertThat(none.getProperty("io.netty.leakDetection.samplingInterval")).isEqualTo("4096");

    Properties own = new Properties();
    own.setProperty("io.netty.leakDetection.samplingInterval", "1");
    TetherCommand.defaultLeakSampling(own);
    assertThat(own.getProperty("io.netty.leakDetection.samplingInterval")).isEqualTo("1");
  }
}
