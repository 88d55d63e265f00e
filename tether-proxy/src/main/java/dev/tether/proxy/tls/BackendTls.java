package dev.tether.proxy.tls;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.BackendTlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS to one pool's servers: a Netty context for the data plane's pooled connections and a JDK
 * context for the blocking health probes, both trusting {@code ca-file} (or the JDK's defaults),
 * sending {@code server-name} (or the server's configured host) as SNI and checking the certificate
 * carries it unless {@code verify: false}. Immutable and thread-safe.
 */
public final class BackendTls {

  private final BackendTlsConfig config;
  private final SslContext netty;
  private final SSLContext jdk;

  private BackendTls(BackendTlsConfig config, SslContext netty, SSLContext jdk) {
    this.config = config;
    this.netty = netty;
    this.jdk = jdk;
  }

  /**
   * Contexts for {@code config}.
   *
   * @throws IllegalArgumentException when the CA file is bad
   */
  public static BackendTls of(BackendTlsConfig config) {
    requireNonNull(config, "config");
    return new BackendTls(config, TlsContexts.client(config), jdkContext(config));
  }

  public BackendTlsConfig config() {
    return config;
  }

  /** The name sent as SNI and verified for a server at {@code address}. */
  String serverName(InetSocketAddress address) {
    return config.serverName() != null ? config.serverName() : address.getHostString();
  }

  /** A client TLS handler for a new connection to {@code address}. */
  public SslHandler newHandler(ByteBufAllocator alloc, InetSocketAddress address) {
    return netty.newHandler(alloc, serverName(address), address.getPort());
  }

  /**
   * {@code plain}, connected to {@code address}, as a TLS socket after its handshake (blocking).
   */
  public SSLSocket wrap(Socket plain, InetSocketAddress address) throws IOException {
    String name = serverName(address);
    SSLSocket s =
        (SSLSocket) jdk.getSocketFactory().createSocket(plain, name, address.getPort(), true);
    SSLParameters p = s.getSSLParameters();
    p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    if (!isIpLiteral(name)) {
      p.setServerNames(List.of(new SNIHostName(name)));
    }
    if (config.verify()) {
      p.setEndpointIdentificationAlgorithm("HTTPS");
    }
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  private static boolean isIpLiteral(String name) {
    return name.indexOf(':') >= 0 || name.matches("[0-9.]+");
  }

  private static SSLContext jdkContext(BackendTlsConfig c) {
    try {
      TrustManager[] trust = null;
      if (!c.verify()) {
        trust = new TrustManager[] {new TrustAll()};
      } else if (c.caFile() != null) {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (X509Certificate cert : PemFiles.certificates(c.caFile())) {
          ks.setCertificateEntry("ca" + i++, cert);
        }
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        trust = tmf.getTrustManagers();
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, trust, null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(
          "cannot build the backend TLS context: " + e.getMessage(), e);
    }
  }

  /** {@code verify: false}: any certificate is accepted (test set-ups only). */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
