package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * TLS termination on the listener ({@code tls}).
 *
 * @param certificates the certificates, the first being the default; the others are chosen by the
 *     client's SNI host name ({@code certificates}, at least one)
 * @param protocols enabled protocol versions ({@code protocols}, default TLSv1.3, TLSv1.2)
 * @param ciphers TLS 1.2 cipher suites by IANA name ({@code ciphers}, default Mozilla
 *     "intermediate"); TLS 1.3 suites are always those of the engine
 * @param alpn the application protocols offered, in preference order ({@code alpn}, default h2,
 *     http/1.1)
 * @param engine which TLS implementation ({@code engine}: auto, openssl, jdk; default auto)
 * @param reloadCheck how often the certificate files are checked for changes ({@code reload-check},
 *     default 5s, 0 = only on reload)
 * @param ticketRotation how often a new session-ticket key is made ({@code
 *     session-ticket-rotation}, default 1h; 0 = session tickets off)
 * @param hsts the {@code Strict-Transport-Security} header, or {@code null} (off, the default)
 */
public record ListenerTlsConfig(
    List<Certificate> certificates,
    List<String> protocols,
    List<String> ciphers,
    List<String> alpn,
    Engine engine,
    Duration reloadCheck,
    Duration ticketRotation,
    Hsts hsts) {

  /** Mozilla's "intermediate" TLS 1.2 suites (ssl-config.mozilla.org, version 5.7), IANA names. */
  public static final List<String> INTERMEDIATE_CIPHERS =
      List.of(
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  /** The protocol versions allowed and enabled by default. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** The application protocols allowed and offered by default. */
  public static final List<String> ALPN = List.of("h2", "http/1.1");

  /** The TLS implementation. */
  public enum Engine {
    /** BoringSSL when its native library loads, the JDK's otherwise. */
    AUTO,
    /** BoringSSL through netty-tcnative; start-up fails when it cannot load. */
    OPENSSL,
    /** The JDK's own engine. */
    JDK
  }

  /**
   * One certificate ({@code certificates[i]}).
   *
   * @param certFile the PEM chain, leaf first
   * @param keyFile the PEM PKCS#8 private key (RSA, EC or Ed25519)
   * @param ocspFile a DER OCSP response to staple, or {@code null} (openssl engine only)
   */
  public record Certificate(Path certFile, Path keyFile, Path ocspFile) {
    public Certificate {
      requireNonNull(certFile, "certFile");
      requireNonNull(keyFile, "keyFile");
    }
  }

  /** {@code hsts}: {@code max-age}, {@code include-subdomains}, {@code preload}. */
  public record Hsts(Duration maxAge, boolean includeSubdomains, boolean preload) {
    public Hsts {
      requireNonNull(maxAge, "maxAge");
    }

    /** The header value, e.g. {@code max-age=31536000; includeSubDomains}. */
    public String headerValue() {
      return "max-age="
          + maxAge.toSeconds()
          + (includeSubdomains ? "; includeSubDomains" : "")
          + (preload ? "; preload" : "");
    }
  }

  public ListenerTlsConfig {
    certificates = List.copyOf(certificates);
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("tls needs at least one certificate");
    }
    protocols = List.copyOf(protocols);
    ciphers = List.copyOf(ciphers);
    alpn = List.copyOf(alpn);
    requireNonNull(engine, "engine");
    requireNonNull(reloadCheck, "reloadCheck");
    requireNonNull(ticketRotation, "ticketRotation");
  }
}
