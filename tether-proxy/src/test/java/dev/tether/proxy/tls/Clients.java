package dev.tether.proxy.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Assumptions;

/**
 * The real clients the TLS and HTTP/2 tests drive: curl and h2load (from the environment), and raw
 * TLS sockets.
 */
final class Clients {

  private Clients() {}

  /**
   * The program in {@code variable}; aborts (skip) when unset, fails when services are required.
   */
  static String program(String variable, String what) {
    String path = System.getenv(variable);
    if (path == null || path.isBlank()) {
      if (Boolean.parseBoolean(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        throw new IllegalStateException(
            variable
                + " is not set, and TETHER_REQUIRE_SERVICES=true makes a missing "
                + what
                + " a failure (source <(bash .ci/services.sh) sets it)");
      }
      Assumptions.abort(variable + " is not set: skipping the test that drives " + what);
    }
    return path;
  }

  static String curl() {
    return program("TETHER_TEST_CURL", "curl");
  }

  static String h2load() {
    return program("TETHER_TEST_H2LOAD", "h2load");
  }

  /** nghttp, which the nghttp2 client package installs next to h2load. */
  static String nghttp() {
    java.nio.file.Path p = java.nio.file.Path.of(h2load()).resolveSibling("nghttp");
    if (!java.nio.file.Files.isExecutable(p)) {
      throw new IllegalStateException(
          p + " is missing; it comes with h2load in the nghttp2-client package");
    }
    return p.toString();
  }

  /** Runs {@code command}, returning its standard output and error; fails after {@code seconds}. */
  static String run(List<String> command, int seconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (InputStream in = p.getInputStream()) {
                    in.transferTo(out);
                  } catch (IOException e) {
                    // the process went away; what was read is kept
                  }
                });
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command.getFirst() + " did not finish within " + seconds + " s");
    }
    reader.join();
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * A TLS socket to 127.0.0.1:{@code port} sending {@code sni} (none when null), trusting anything.
   */
  static SSLSocket tls(int port, String sni) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    SSLParameters params = s.getSSLParameters();
    if (sni != null) {
      params.setServerNames(List.of(new SNIHostName(sni)));
    }
    params.setApplicationProtocols(new String[] {"http/1.1"});
    s.setSSLParameters(params);
    s.startHandshake();
    return s;
  }

  /** The leaf certificate {@code s} was shown. */
  static X509Certificate leaf(SSLSocket s) throws Exception {
    return (X509Certificate) s.getSession().getPeerCertificates()[0];
  }

  /** Sends a keep-alive GET of {@code path} on {@code s} and returns the response head and body. */
  static String get(Socket s, String host, String path) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(
        ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head);
      }
      head.append((char) b);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
