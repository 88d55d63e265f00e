package dev.tether.proxy.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Reads certificate chains and PKCS#8 private keys from PEM files, and checks that a key belongs to
 * its certificate. Every failure is an {@link IllegalArgumentException} whose message names the
 * file, the line of the PEM block at fault and what to do about it, so that {@code tether check}
 * and a reload can show it as it is.
 */
public final class PemFiles {

  private PemFiles() {}

  /** One {@code -----BEGIN label-----} block: its label, DER bytes and first line (1-based). */
  record Block(String label, byte[] der, int line) {}

  /**
   * The chain of {@code certFile} (leaf first) and the key of {@code keyFile}, checked to match.
   *
   * @throws IllegalArgumentException when a file cannot be read, holds no or bad PEM, or the key is
   *     not the certificate's
   */
  public static CertifiedKey load(Path certFile, Path keyFile) {
    List<X509Certificate> chain = certificates(certFile);
    PrivateKey key = privateKey(keyFile);
    if (!matches(key, chain.getFirst().getPublicKey())) {
      throw new IllegalArgumentException(
          keyFile
              + ": this "
              + key.getAlgorithm()
              + " key does not belong to the first certificate of "
              + certFile
              + " ("
              + chain.getFirst().getSubjectX500Principal().getName()
              + "); give the key the certificate was issued for");
    }
    return new CertifiedKey(chain, key, names(chain.getFirst()));
  }

  /** The certificates of a PEM file, in file order; at least one. */
  public static List<X509Certificate> certificates(Path file) {
    List<Block> blocks = blocks(file);
    List<X509Certificate> out = new ArrayList<>();
    CertificateFactory cf;
    try {
      cf = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("no X.509 support in this JDK", e);
    }
    for (Block b : blocks) {
      if (!b.label().equals("CERTIFICATE")) {
        if (b.label().contains("PRIVATE KEY")) {
          throw new IllegalArgumentException(
              file
                  + ":"
                  + b.line()
                  + ": a private key where certificates belong; "
                  + "cert-file holds the certificate chain, key-file the key");
        }
        continue;
      }
      try {
        out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
      } catch (CertificateException e) {
        throw new IllegalArgumentException(
            file + ":" + b.line() + ": not a valid X.509 certificate: " + e.getMessage());
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          file
              + ": no -----BEGIN CERTIFICATE----- block; give the PEM certificate chain, leaf first");
    }
    return List.copyOf(out);
  }

  /** The PKCS#8 private key of a PEM file (RSA, EC or Ed25519, unencrypted). */
  public static PrivateKey privateKey(Path file) {
    for (Block b : blocks(file)) {
      switch (b.label()) {
        case "PRIVATE KEY" -> {
          return decodePkcs8(file, b);
        }
        case "RSA PRIVATE KEY", "EC PRIVATE KEY" ->
            throw new IllegalArgumentException(
                file
                    + ":"
                    + b.line()
                    + ": a "
                    + b.label().replace(" PRIVATE KEY", "")
                    + " key in the traditional format; convert it to PKCS#8 with "
                    + "`openssl pkcs8 -topk8 -nocrypt -in "
                    + file.getFileName()
                    + " -out key.pem`");
        case "ENCRYPTED PRIVATE KEY" ->
            throw new IllegalArgumentException(
                file
                    + ":"
                    + b.line()
                    + ": the key is encrypted; give it unencrypted (file mode 0600), e.g. `openssl pkcs8 -topk8 -nocrypt -in "
                    + file.getFileName()
                    + " -out key.pem`");
        default -> {
          // certificates next to the key are allowed (a combined file)
        }
      }
    }
    throw new IllegalArgumentException(
        file + ": no -----BEGIN PRIVATE KEY----- block; give the PKCS#8 PEM private key");
  }

  private static PrivateKey decodePkcs8(Path file, Block b) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(b.der());
    for (String alg : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException(
        file + ":" + b.line() + ": not a PKCS#8 RSA, EC or Ed25519 private key");
  }

  /** Whether {@code key} signs what {@code pub} verifies. */
  static boolean matches(PrivateKey key, PublicKey pub) {
    if (!key.getAlgorithm().equals(pub.getAlgorithm())) {
      return false;
    }
    String alg =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          case "RSASSA-PSS" -> "RSASSA-PSS";
          default -> null;
        };
    if (alg == null) {
      return false;
    }
    try {
      byte[] data = "tether key check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      if (alg.equals("RSASSA-PSS")) {
        s.setParameter(
            new java.security.spec.PSSParameterSpec(
                "SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
      }
      s.initSign(key);
      s.update(data);
      byte[] sig = s.sign();
      s.initVerify(pub);
      s.update(data);
      return s.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * The DNS names of {@code cert} (subject alternative names, else the subject's CN), lower case.
   */
  static Set<String> names(X509Certificate cert) {
    Set<String> out = new LinkedHashSet<>();
    try {
      var sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(2).equals(san.get(0))) {
            out.add(san.get(1).toString().toLowerCase(java.util.Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no usable SANs: fall back to the CN
    }
    if (out.isEmpty()) {
      String dn = cert.getSubjectX500Principal().getName(X500Principal.RFC2253);
      for (String part : dn.split(",")) {
        if (part.startsWith("CN=")) {
          out.add(part.substring(3).toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    return out;
  }

  static List<Block> blocks(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new IllegalArgumentException(file + ": cannot be read: " + describe(e));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + ": cannot be read as PEM text: " + e.getMessage());
    }
    List<Block> out = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    String label = null;
    int start = 0;
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (label == null) {
        if (line.startsWith("-----BEGIN ") && line.endsWith("-----")) {
          label = line.substring(11, line.length() - 5);
          start = i + 1;
          body.setLength(0);
        }
      } else if (line.equals("-----END " + label + "-----")) {
        try {
          out.add(new Block(label, Base64.getMimeDecoder().decode(body.toString()), start));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              file + ":" + start + ": the " + label + " block is not valid base64");
        }
        label = null;
      } else if (line.startsWith("-----")) {
        throw new IllegalArgumentException(
            file
                + ":"
                + (i + 1)
                + ": expected -----END "
                + label
                + "----- for the block at line "
                + start);
      } else if (!line.contains(":")) { // skip RFC 1421 headers such as Proc-Type
        body.append(line);
      }
    }
    if (label != null) {
      throw new IllegalArgumentException(
          file + ":" + start + ": the " + label + " block has no -----END " + label + "----- line");
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          file + ": no PEM block (-----BEGIN ...-----); give a PEM file");
    }
    return out;
  }

  private static String describe(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
