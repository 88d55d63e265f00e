package dev.tether.proxy.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.proxy.analytics.PrometheusText.Sample;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  @Test
  void readsNamesLabelsEscapesSpecialValuesAndSkipsComments() {
    List<Sample> s =
        PrometheusText.parse(
            """
        # HELP x some help
        # TYPE x gauge
        x 3
        y_bucket{le="0.5",op="a \\"quoted\\" \\\\ back\\nline"} 7 1700000000000
        y_bucket{le="+Inf",} +Inf
        z NaN
        w -Inf

        """);
    assertThat(s).hasSize(5);
    assertThat(s.get(0)).isEqualTo(new Sample("x", Map.of(), 3));
    assertThat(s.get(1).labels())
        .containsEntry("le", "0.5")
        .containsEntry("op", "a \"quoted\" \\ back\nline");
    assertThat(s.get(1).value()).isEqualTo(7);
    assertThat(s.get(2).value()).isInfinite();
    assertThat(s.get(3).value()).isNaN();
    assertThat(s.get(4).value()).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void aMalformedLineIsNamed() {
    assertThatThrownBy(() -> PrometheusText.parse("ok 1\nbad{le=\"1\" 2\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("line 2:");
    assertThatThrownBy(() -> PrometheusText.parse("v abc\n"))
        .hasMessageContaining("'abc' is not a number");
    assertThatThrownBy(() -> PrometheusText.parse("{a=\"b\"} 1\n"))
        .hasMessageContaining("metric name");
  }

  /**
   * The text a real instance serves: Micrometer's Prometheus registry with the session library's
   * meter names.
   */
  @Test
  void readsTheFiguresOfAnInstanceScrapeAndP99OnlyOverWhatHappenedSinceThePreviousOne() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicLong active = new AtomicLong(15);
    Gauge.builder("tether.sessions.active", active, AtomicLong::get).register(r);
    DistributionSummary size =
        DistributionSummary.builder("tether.sessions.size")
            .baseUnit("bytes")
            .publishPercentileHistogram()
            .minimumExpectedValue(16.0)
            .maximumExpectedValue(4.0 * 1024 * 1024)
            .register(r);
    Timer save =
        Timer.builder("tether.sessions.store.latency")
            .tag("operation", "save")
            .publishPercentileHistogram()
            .register(r);
    Timer load =
        Timer.builder("tether.sessions.store.latency")
            .tag("operation", "load")
            .publishPercentileHistogram()
            .register(r);
    for (int i = 0; i < 100; i++) {
      size.record(500);
      save.record(Duration.ofMillis(2));
      load.record(Duration.ofMillis(2));
    }
    InstanceFigures first = InstanceFigures.of(PrometheusText.parse(r.scrape()), null);
    assertThat(first.sessions()).isEqualTo(15);
    // Micrometer's percentile buckets: 500 falls in (448, 512]
    assertThat(first.sessionSizeP99Bytes()).isBetween(448.0, 512.0);
    assertThat(first.storeLatencyP99Seconds()).isBetween(0.0019, 0.0023);

    for (int i = 0; i < 100; i++) {
      size.record(40_000);
    }
    InstanceFigures second = InstanceFigures.of(PrometheusText.parse(r.scrape()), first);
    assertThat(second.sessionSizeP99Bytes()).isBetween(32_768.0, 44_000.0);
    assertThat(second.storeLatencyP99Seconds())
        .as("no store call since: previous figure")
        .isEqualTo(first.storeLatencyP99Seconds());
  }
}
