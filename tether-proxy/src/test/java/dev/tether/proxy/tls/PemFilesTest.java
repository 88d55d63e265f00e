package dev.tether.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {

  @TempDir Path dir;

  @Test
  void loadsRsaAndEcChainsWithTheirKeys() {
    TestCertificates ca = TestCertificates.in(dir);
    var rsa = ca.issue("rsa", TestCertificates.Kind.RSA, "rsa.test");
    var ec = ca.issue("ec", TestCertificates.Kind.EC, "ec.test", "*.ec.test");

    CertifiedKey r = PemFiles.load(rsa.cert(), rsa.key());
    CertifiedKey e = PemFiles.load(ec.cert(), ec.key());

    assertThat(r.chain()).hasSize(2);
    assertThat(r.key().getAlgorithm()).isEqualTo("RSA");
    assertThat(r.names()).containsExactly("rsa.test");
    assertThat(e.key().getAlgorithm()).isEqualTo("EC");
    assertThat(e.names()).containsExactlyInAnyOrder("ec.test", "*.ec.test");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() {
    TestCertificates ca = TestCertificates.in(dir);
    var a = ca.issue("a", TestCertificates.Kind.EC, "a.test");
    var b = ca.issue("b", TestCertificates.Kind.EC, "b.test");

    assertThatThrownBy(() -> PemFiles.load(a.cert(), b.key()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(b.key().toString())
        .hasMessageContaining("does not belong to the first certificate of " + a.cert())
        .hasMessageContaining("CN=a.test");
  }

  @Test
  void anRsaKeyForAnEcCertificateIsRefused() {
    TestCertificates ca = TestCertificates.in(dir);
    var ec = ca.issue("ec", TestCertificates.Kind.EC, "ec.test");
    var rsa = ca.issue("rsa", TestCertificates.Kind.RSA, "rsa.test");

    assertThatThrownBy(() -> PemFiles.load(ec.cert(), rsa.key()))
        .hasMessageContaining("does not belong");
  }

  @Test
  void aTraditionalRsaKeyGetsTheConversionCommand() throws Exception {
    Path key = dir.resolve("old.key");
    Files.writeString(
        key, "# comment\n" + TestCertificates.pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}));

    assertThatThrownBy(() -> PemFiles.privateKey(key))
        .hasMessage(
            key
                + ":2: a RSA key in the traditional format; convert it to PKCS#8 with "
                + "`openssl pkcs8 -topk8 -nocrypt -in old.key -out key.pem`");
  }

  @Test
  void aTruncatedBlockNamesItsLine() throws Exception {
    Path cert = dir.resolve("cut.pem");
    Files.writeString(cert, "\n\n-----BEGIN CERTIFICATE-----\nMIIB\n");

    assertThatThrownBy(() -> PemFiles.certificates(cert))
        .hasMessage(cert + ":3: the CERTIFICATE block has no -----END CERTIFICATE----- line");
  }

  @Test
  void garbageInACertificateBlockIsNamed() throws Exception {
    Path cert = dir.resolve("bad.pem");
    Files.writeString(cert, TestCertificates.pem("CERTIFICATE", new byte[] {0x30, 0x03, 1, 2, 3}));

    assertThatThrownBy(() -> PemFiles.certificates(cert))
        .hasMessageStartingWith(cert + ":1: not a valid X.509 certificate");
  }

  @Test
  void aKeyInTheCertificateFileIsCalledOut() {
    TestCertificates ca = TestCertificates.in(dir);
    var a = ca.issue("a", TestCertificates.Kind.EC, "a.test");

    assertThatThrownBy(() -> PemFiles.certificates(a.key()))
        .hasMessage(
            a.key()
                + ":1: a private key where certificates belong; cert-file holds the certificate chain, key-file the key");
  }

  @Test
  void aMissingFileSaysSo() {
    Path none = dir.resolve("none.pem");

    assertThatThrownBy(() -> PemFiles.certificates(none))
        .hasMessage(none + ": cannot be read: no such file");
  }
}
