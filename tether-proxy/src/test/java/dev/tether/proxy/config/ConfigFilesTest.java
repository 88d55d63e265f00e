package dev.tether.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tether.proxy.config.yaml.ConfigFiles;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.tls.TestCertificates;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files the configuration names (certificates, keys, CA bundles, OCSP responses, JWKS) and the
 * configuration file itself are checked before they are read: a device, a FIFO or a directory, or a
 * file over the bound, is a problem naming the file, the line and the key, never a hang. Each load
 * runs under a preemptive timeout, so a reader that opened {@code /dev/zero} or a FIFO fails the
 * test instead of hanging it.
 */
class ConfigFilesTest {

  /** Far above what a check of attributes takes; a read of a FIFO would block forever. */
  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void aDeviceAsCertificateIsRefusedWithFileLineAndKey() {
    TestCertificates.Files2 site =
        TestCertificates.in(dir).issue("site", TestCertificates.Kind.EC, "localhost");
    List<ConfigProblem> problems =
        assertTimeoutPreemptively(
            BOUND,
            () ->
                ConfigErrorsTest.problems(
                    """
        listen: 127.0.0.1:8443
        tls:
          certificates:
            - { cert-file: /dev/zero, key-file: %s }
        pools:
          web:
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
        """
                        .formatted(site.key())));

    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.source()).isEqualTo("tether.yaml");
              assertThat(p.line()).isEqualTo(4);
              assertThat(p.path()).isEqualTo("tls.certificates[0].cert-file");
              assertThat(p.message())
                  .contains(
                      "/dev/zero",
                      "a character device",
                      "not a regular file",
                      "a regular file of at most 1 MiB");
            });
  }

  @Test
  void aFifoAsKeyIsRefusedWithoutOpeningIt() throws Exception {
    TestCertificates.Files2 site =
        TestCertificates.in(dir).issue("site", TestCertificates.Kind.EC, "localhost");
    Path fifo = mkfifo(dir.resolve("fifo.key"));
    List<ConfigProblem> problems =
        assertTimeoutPreemptively(
            BOUND,
            () ->
                ConfigErrorsTest.problems(
                    """
        listen: 127.0.0.1:8443
        tls:
          certificates:
            - cert-file: %s
              key-file: %s
        pools:
          web:
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
        """
                        .formatted(site.cert(), fifo)));

    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(5);
              assertThat(p.path()).isEqualTo("tls.certificates[0].key-file");
              assertThat(p.message())
                  .contains(fifo.toString(), "a FIFO (named pipe)", "not a regular file");
            });
  }

  @Test
  void aFileOverOneMebibyteIsRefusedAndOneOfExactlyOneMebibyteIsRead() throws Exception {
    Path big = sparse(dir.resolve("big-ca.pem"), ConfigFiles.MAX_REFERENCED_FILE + 1);
    Path limit = sparse(dir.resolve("limit-ca.pem"), ConfigFiles.MAX_REFERENCED_FILE);
    List<ConfigProblem> problems =
        assertTimeoutPreemptively(
            BOUND,
            () ->
                ConfigErrorsTest.problems(
                    """
        listen: 127.0.0.1:8080
        pools:
          a:
            tls: { ca-file: %s }
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
          b:
            tls: { ca-file: %s }
            servers: [ { name: s2, address: 127.0.0.1:9002 } ]
        routes:
          - { path-prefix: /a, pool: a }
          - { path-prefix: /b, pool: b }
        """
                        .formatted(big, limit)));

    assertThat(problems)
        .extracting(ConfigProblem::path)
        .containsExactlyInAnyOrder("pools.a.tls.ca-file", "pools.b.tls.ca-file");
    assertThat(problems)
        .filteredOn(p -> p.path().equals("pools.a.tls.ca-file"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(4);
              assertThat(p.message())
                  .contains(big.toString(), "1048577 bytes", "at most 1 MiB is allowed");
            });
    // at the bound the file is read, and fails as what it is: not PEM
    assertThat(problems)
        .filteredOn(p -> p.path().equals("pools.b.tls.ca-file"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).doesNotContain("at most 1 MiB"));
  }

  @Test
  void aDirectoryOrAMissingFileIsNamedAsSuch() {
    TestCertificates.Files2 site =
        TestCertificates.in(dir).issue("site", TestCertificates.Kind.EC, "localhost");
    Path missing = dir.resolve("gone.pem");
    List<ConfigProblem> problems =
        assertTimeoutPreemptively(
            BOUND,
            () ->
                ConfigErrorsTest.problems(
                    """
        listen: 127.0.0.1:8443
        tls:
          certificates:
            - { cert-file: %s, key-file: %s }
            - { cert-file: %s, key-file: %s }
        pools:
          web:
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
        """
                        .formatted(dir, site.key(), missing, site.key())));

    assertThat(problems)
        .extracting(ConfigProblem::path)
        .containsExactly("tls.certificates[0].cert-file", "tls.certificates[1].cert-file");
    assertThat(problems.get(0).message())
        .contains(dir.toString(), "is a directory, not a regular file");
    assertThat(problems.get(1).message())
        .contains(missing.toString(), "does not exist", "a PEM file");
  }

  @Test
  void aDeviceAsJwksFileIsRefused() {
    List<ConfigProblem> problems =
        assertTimeoutPreemptively(
            BOUND,
            () ->
                ConfigErrorsTest.problems(
                    """
        listen: 127.0.0.1:8080
        pools:
          web:
            affinity:
              mode: header
              header:
                jwt: { algorithms: [RS256], jwks-file: /dev/zero, claim: uid }
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
        """));

    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(7);
              assertThat(p.path()).isEqualTo("pools.web.affinity.header.jwt.jwks-file");
              assertThat(p.message()).contains("/dev/zero", "not a regular file", "a JWKS file");
            });
  }

  @Test
  void theConfigurationFileItselfMustBeARegularFileOfBoundedSize() throws Exception {
    Path fifo = mkfifo(dir.resolve("tether.yaml"));
    Path huge = sparse(dir.resolve("huge.yaml"), ConfigFiles.MAX_CONFIG_FILE + 1);
    for (Path file : List.of(Path.of("/dev/zero"), fifo, huge)) {
      ConfigException e =
          assertTimeoutPreemptively(
              BOUND,
              () ->
                  ConfigErrorsTest.failure(
                      () -> ConfigLoader.load(file, Map.<String, String>of()::get)));
      assertThat(e.problems())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.source()).isEqualTo(file.toString());
                assertThat(p.line()).isZero();
                assertThat(p.message()).startsWith("cannot read the configuration file: " + file);
              });
    }
    ConfigException e =
        ConfigErrorsTest.failure(() -> ConfigLoader.load(huge, Map.<String, String>of()::get));
    assertThat(e.problems().get(0).message()).contains("at most 4 MiB");
  }

  private static Path mkfifo(Path path) throws Exception {
    Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("mkfifo finished").isTrue();
    assertThat(p.exitValue()).as("mkfifo exit status").isZero();
    return path;
  }

  /** A file of {@code size} bytes that takes no disk space. */
  private static Path sparse(Path path, long size) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
      f.setLength(size);
    }
    assertThat(Files.size(path)).isEqualTo(size);
    return path;
  }
}
