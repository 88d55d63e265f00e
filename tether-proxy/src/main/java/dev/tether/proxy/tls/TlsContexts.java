package dev.tether.proxy.tls;

import dev.tether.proxy.config.BackendTlsConfig;
import dev.tether.proxy.config.ListenerTlsConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Builds Netty {@link SslContext}s from the configuration: listener contexts per certificate and
 * client contexts for backends. BoringSSL (netty-tcnative) is used when the engine is {@code
 * openssl}, or {@code auto} and it loads; the JDK's engine otherwise.
 */
public final class TlsContexts {

  /** The TLS 1.3 suites, always enabled next to the configured TLS 1.2 ones. */
  static final List<String> TLS13_CIPHERS =
      List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

  private TlsContexts() {}

  /**
   * The provider for {@code engine}.
   *
   * @throws IllegalArgumentException for {@code openssl} when BoringSSL cannot be loaded (says why)
   */
  public static SslProvider provider(ListenerTlsConfig.Engine engine) {
    return switch (engine) {
      case JDK -> SslProvider.JDK;
      case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
      case OPENSSL -> {
        if (!OpenSsl.isAvailable()) {
          Throwable t = OpenSsl.unavailabilityCause();
          throw new IllegalArgumentException(
              "BoringSSL (netty-tcnative-boringssl-static) cannot be loaded: "
                  + (t == null ? "unknown reason" : t.getMessage())
                  + "; use engine: jdk or auto");
        }
        yield SslProvider.OPENSSL;
      }
    };
  }

  /** The name a person reads for {@code p}: {@code openssl} or {@code jdk}. */
  public static String engineName(SslProvider p) {
    return p == SslProvider.JDK ? "jdk" : "openssl";
  }

  /** A listener context for one certificate, offering {@code c.alpn()}. */
  static SslContext server(CertifiedKey key, ListenerTlsConfig c, SslProvider provider)
      throws SSLException {
    List<String> ciphers = new ArrayList<>(TLS13_CIPHERS);
    ciphers.addAll(c.ciphers());
    SslContextBuilder b =
        SslContextBuilder.forServer(key.key(), key.chain().toArray(X509Certificate[]::new))
            .sslProvider(provider)
            .protocols(c.protocols())
            .ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE)
            .sessionTimeout(
                c.ticketRotation().isZero()
                    ? 300
                    : Math.max(300, c.ticketRotation().toSeconds() * 2));
    if (!c.alpn().isEmpty()) {
      b.applicationProtocolConfig(
          new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              c.alpn()));
    }
    if (provider != SslProvider.JDK
        && c.certificates().stream().anyMatch(x -> x.ocspFile() != null)) {
      b.enableOcsp(true);
    }
    return b.build();
  }

  /** A client context for a pool's backends; HTTP/1.1 only (no ALPN). */
  public static SslContext client(BackendTlsConfig c) {
    SslContextBuilder b =
        SslContextBuilder.forClient()
            .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
            .protocols(ListenerTlsConfig.PROTOCOLS)
            .endpointIdentificationAlgorithm(c.verify() ? "HTTPS" : null);
    if (!c.verify()) {
      b.trustManager(InsecureTrustManagerFactory.INSTANCE);
    } else if (c.caFile() != null) {
      b.trustManager(PemFiles.certificates(c.caFile()).toArray(X509Certificate[]::new));
    }
    try {
      return b.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException(
          "cannot build the backend TLS context: " + e.getMessage(), e);
    }
  }
}
