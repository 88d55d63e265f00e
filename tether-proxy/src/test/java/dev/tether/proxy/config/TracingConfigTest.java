package dev.tether.proxy.config;

import static dev.tether.proxy.config.ConfigErrorsTest.only;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.yaml.ConfigLoader;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracingConfigTest {

  static final String BASE =
      """
      listen: 127.0.0.1:8080
      pools:
        web:
          servers: [ { name: s1, address: 127.0.0.1:9001 } ]
      """;

  static TetherConfig parse(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, "tether.yaml", Map.<String, String>of()::get);
  }

  @Test
  void tracingIsOffByDefaultWithOnePercentSamplingAndNoExport() throws Exception {
    assertThat(parse(BASE).tracing()).isEqualTo(new TracingConfig(false, 0.01, null, "tether"));
    assertThat(TracingConfig.DEFAULTS).isEqualTo(parse(BASE).tracing());
  }

  @Test
  void everyKeyIsRead() throws Exception {
    TracingConfig t =
        parse(
                BASE
                    + """
        tracing: { enabled: true, sampling: 0.25, otlp-endpoint: http://127.0.0.1:4318/v1/traces, service-name: edge }
        """)
            .tracing();
    assertThat(t)
        .isEqualTo(
            new TracingConfig(true, 0.25, URI.create("http://127.0.0.1:4318/v1/traces"), "edge"));
  }

  @Test
  void samplingOutsideZeroToOneNamesLineColumnAndTheRange() {
    ConfigProblem p = only(BASE + "tracing:\n  enabled: true\n  sampling: 1.5\n");
    assertThat(p)
        .isEqualTo(
            new ConfigProblem(
                "tether.yaml",
                7,
                13,
                "tracing.sampling",
                "1.5 is out of range; use a share of requests in 0..1, e.g. 0.01 for 1%"));
  }

  @Test
  void aMisspelledKeyGetsADidYouMean() {
    ConfigProblem p = only(BASE + "tracing:\n  smapling: 0.1\n");
    assertThat(p.path()).isEqualTo("tracing.smapling");
    assertThat(p.line()).isEqualTo(6);
    assertThat(p.message()).startsWith("unknown key; did you mean `sampling`?");
  }

  @Test
  void anEndpointMustBeAnHttpUrlWithAHost() {
    for (String bad :
        new String[] {"ftp://collector/v1/traces", "127.0.0.1:4318", "http:///v1/traces"}) {
      ConfigProblem p = only(BASE + "tracing: { otlp-endpoint: '" + bad + "' }\n");
      assertThat(p.path()).isEqualTo("tracing.otlp-endpoint");
      assertThat(p.message())
          .isEqualTo(
              "'"
                  + bad
                  + "' is not an OTLP/HTTP endpoint; use an http:// "
                  + "or https:// URL with a host and the traces path, e.g. http://127.0.0.1:4318/v1/traces");
    }
  }

  @Test
  void aBlankServiceNameIsRefused() {
    assertThat(only(BASE + "tracing: { service-name: ' ' }\n").path())
        .isEqualTo("tracing.service-name");
  }
}
