package dev.tether.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.tls.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendTlsConfigTest {

  @TempDir Path dir;

  @Test
  void aPoolsTlsNamesItsCaServerNameAndVerification() throws Exception {
    Path ca = TestCertificates.in(dir).caFile();
    TetherConfig c =
        ConfigLoaderTest.parse(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            tls: { ca-file: %s, server-name: app.internal }
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
        """
                .formatted(ca));

    assertThat(c.pools().get("web").tls())
        .isEqualTo(new BackendTlsConfig(ca, "app.internal", true));
  }

  @Test
  void badSettingsNameTheKeyAndWhatIsAllowed() throws Exception {
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    ConfigException e =
        ConfigErrorsTest.failure(
            () ->
                ConfigLoaderTest.parse(
                    """
        listen: 127.0.0.1:8080
        pools:
          a:
            tls: { ca-file: %s }
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
          b:
            tls: { server-name: "not a host", verify: maybe }
            servers: [ { name: s2, address: 127.0.0.1:9002 } ]
          c:
            tls: { server-name: app.internal, verify: false }
            servers: [ { name: s3, address: 127.0.0.1:9003 } ]
        routes:
          - { path-prefix: /a, pool: a }
          - { path-prefix: /b, pool: b }
          - { path-prefix: /c, pool: c }
        """
                        .formatted(notPem)));

    assertThat(e.problems())
        .extracting(ConfigProblem::path)
        .containsExactlyInAnyOrder(
            "pools.a.tls.ca-file",
            "pools.b.tls.server-name",
            "pools.b.tls.verify",
            "pools.c.tls.verify");
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("pools.b.tls.server-name"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("is not a host name"));
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("pools.c.tls.verify"))
        .singleElement()
        .satisfies(p -> assertThat(p.line()).isEqualTo(10));
  }

  @Test
  void poolsSharingAServerAddressMustAgreeOnTls() throws Exception {
    Path ca = TestCertificates.in(dir).caFile();
    ConfigException e =
        ConfigErrorsTest.failure(
            () ->
                ConfigLoaderTest.parse(
                    """
        listen: 127.0.0.1:8080
        pools:
          plain:
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
          secure:
            tls: { ca-file: %s }
            servers: [ { name: s2, address: 127.0.0.1:9001 } ]
        routes:
          - { path-prefix: /, pool: plain }
          - { path-prefix: /secure, pool: secure }
        """
                        .formatted(ca)));

    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("pools.secure.tls");
              assertThat(p.line()).isEqualTo(6);
              assertThat(p.message())
                  .contains(
                      "server s2 at 127.0.0.1:9001 is also server s1 of pool plain",
                      "give both pools the same tls or use a different address");
            });
  }

  @Test
  void poolsSharingAnAddressWithTheSameTlsAreFine() throws Exception {
    Path ca = TestCertificates.in(dir).caFile();
    TetherConfig c =
        ConfigLoaderTest.parse(
            """
        listen: 127.0.0.1:8080
        pools:
          one:
            tls: { ca-file: %1$s }
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
          two:
            tls: { ca-file: %1$s }
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
        routes:
          - { path-prefix: /, pool: one }
          - { path-prefix: /two, pool: two }
        """
                .formatted(ca));

    assertThat(c.pools()).containsOnlyKeys("one", "two");
  }
}
