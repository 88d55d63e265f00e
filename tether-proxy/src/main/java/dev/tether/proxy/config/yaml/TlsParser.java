package dev.tether.proxy.config.yaml;

import dev.tether.proxy.config.BackendTlsConfig;
import dev.tether.proxy.config.HostNames;
import dev.tether.proxy.config.Http2Config;
import dev.tether.proxy.config.ListenerTlsConfig;
import dev.tether.proxy.tls.PemFiles;
import dev.tether.proxy.tls.TlsContexts;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the listener's {@code tls} and {@code http2} sections and a pool's {@code tls}, and loads
 * the certificate files they name, so that a bad certificate or a key that is not the certificate's
 * stops {@code check} and start-up with the file, the line and the key. A named file must be a
 * regular file of at most {@link ConfigFiles#MAX_REFERENCED_FILE} bytes (checked before it is
 * opened, so a device or FIFO cannot hang the reader).
 */
final class TlsParser {

  private final Path baseDir;

  TlsParser(Path baseDir) {
    this.baseDir = baseDir;
  }

  /** The listener's TLS, or {@code null} when absent or invalid (reported). */
  ListenerTlsConfig readListener(YamlSection s) {
    ProblemCollector problems = s.problems();
    int errorsBefore = problems.errorCount();
    ListenerTlsConfig.Engine engine =
        s.choice("engine", ListenerTlsConfig.Engine.class, ListenerTlsConfig.Engine.AUTO);
    SslProvider provider = SslProvider.JDK;
    try {
      provider = TlsContexts.provider(engine);
    } catch (IllegalArgumentException e) {
      s.error("engine", e.getMessage());
    }
    List<ListenerTlsConfig.Certificate> certs = new ArrayList<>();
    List<Node> items = s.list("certificates");
    if (items.isEmpty()) {
      s.missing(
          "certificates",
          "at least one certificate, e.g. certificates: [ { cert-file: site.pem, key-file: site.key } ]");
    }
    for (int i = 0; i < items.size(); i++) {
      YamlSection c =
          YamlSection.of(items.get(i), s.pathOf("certificates") + "[" + i + "]", problems);
      Path cert = path(c, "cert-file", true);
      Path key = path(c, "key-file", true);
      Path ocsp = path(c, "ocsp-file", false);
      c.finish();
      if (ocsp != null && provider == SslProvider.JDK) {
        c.error(
            "ocsp-file",
            "OCSP stapling from a file needs the openssl engine (netty-tcnative); "
                + "set engine: openssl or leave ocsp-file out");
      }
      if (cert == null || key == null) {
        continue;
      }
      try {
        PemFiles.load(cert, key);
      } catch (IllegalArgumentException e) {
        c.error(
            e.getMessage().startsWith(key.toString()) ? "key-file" : "cert-file", e.getMessage());
        continue;
      }
      certs.add(new ListenerTlsConfig.Certificate(cert, key, ocsp));
    }
    List<String> protocols =
        names(s, "protocols", ListenerTlsConfig.PROTOCOLS, ListenerTlsConfig.PROTOCOLS);
    List<String> ciphers = ciphers(s, provider);
    List<String> alpn = names(s, "alpn", ListenerTlsConfig.ALPN, ListenerTlsConfig.ALPN);
    Duration reloadCheck = s.duration("reload-check", Duration.ofSeconds(5), Duration.ZERO);
    if (!reloadCheck.isZero() && reloadCheck.compareTo(Duration.ofMillis(100)) < 0) {
      s.error(
          "reload-check",
          "checking the files more often than every 100ms only costs; use 0 (off) or e.g. 5s");
    }
    Duration rotation = s.duration("session-ticket-rotation", Duration.ofHours(1), Duration.ZERO);
    if (!rotation.isZero() && rotation.compareTo(Duration.ofMinutes(1)) < 0) {
      s.error("session-ticket-rotation", "use 0 (tickets off) or at least 1m, e.g. 1h");
    }
    ListenerTlsConfig.Hsts hsts = null;
    if (s.has("hsts")) {
      YamlSection h = s.section("hsts");
      hsts =
          new ListenerTlsConfig.Hsts(
              h.duration("max-age", Duration.ofDays(365), Duration.ZERO),
              h.bool("include-subdomains", false),
              h.bool("preload", false));
      h.finish();
      if (hsts.preload()
          && (!hsts.includeSubdomains() || hsts.maxAge().compareTo(Duration.ofDays(365)) < 0)) {
        h.error(
            "preload",
            "the HSTS preload list requires include-subdomains: true and max-age of at least 8760h (365 days)");
      }
    }
    s.finish();
    if (problems.errorCount() > errorsBefore || certs.isEmpty()) {
      return null;
    }
    return new ListenerTlsConfig(
        certs, protocols, ciphers, alpn, engine, reloadCheck, rotation, hsts);
  }

  /** The {@code http2} section ({@link Http2Config#defaults} when absent). */
  static Http2Config readHttp2(YamlSection s, int maxHeaderSize) {
    Http2Config d = Http2Config.defaults(maxHeaderSize);
    Http2Config c =
        new Http2Config(
            s.bool("cleartext", d.cleartext()),
            s.integer("max-concurrent-streams", d.maxConcurrentStreams(), 1, 10_000),
            s.size("max-header-list-size", d.maxHeaderListSize(), 1 << 10, 1 << 20),
            s.size("initial-window-size", d.initialWindowSize(), 1 << 10, Integer.MAX_VALUE),
            s.integer("max-resets", d.maxResets(), 1, 1_000_000),
            s.integer("max-control-frames", d.maxControlFrames(), 1, 1_000_000),
            s.duration("flood-window", d.floodWindow(), Duration.ofSeconds(1)));
    s.finish();
    return c;
  }

  /** A pool's {@code tls}, or {@code null} when absent or invalid (reported). */
  BackendTlsConfig readBackend(YamlSection s) {
    ProblemCollector problems = s.problems();
    int before = problems.errorCount();
    Path ca = path(s, "ca-file", false);
    String name = s.text("server-name", null);
    boolean verify = s.bool("verify", true);
    s.finish();
    if (ca != null) {
      try {
        PemFiles.certificates(ca);
      } catch (IllegalArgumentException e) {
        s.error("ca-file", e.getMessage());
      }
    }
    if (name != null && !HostNames.isValid(name)) {
      s.error(
          "server-name",
          "'"
              + name
              + "' is not a host name; give the name the servers' certificate carries, e.g. app.internal");
    }
    if (!verify && (ca != null || name != null)) {
      s.error(
          "verify",
          "verify: false checks no certificate, so ca-file and server-name would be ignored; leave them out or verify");
    }
    return problems.errorCount() > before ? null : new BackendTlsConfig(ca, name, verify);
  }

  private Path path(YamlSection s, String key, boolean required) {
    String text = s.text(key, null);
    if (text == null) {
      if (required) {
        s.missing(key, "a PEM file, relative to the configuration file's directory");
      }
      return null;
    }
    Path file;
    try {
      file = baseDir.resolve(text).normalize();
    } catch (InvalidPathException e) {
      s.error(key, "'" + text + "' is not a file name: " + e.getReason());
      return null;
    }
    String problem =
        ConfigFiles.problem(
            file,
            ConfigFiles.MAX_REFERENCED_FILE,
            "a PEM file, relative to the configuration file's directory");
    if (problem != null) {
      s.error(key, problem);
      return null;
    }
    return file;
  }

  private static List<String> names(
      YamlSection s, String key, List<String> def, List<String> allowed) {
    if (!s.has(key)) {
      return def;
    }
    List<String> out = new ArrayList<>();
    List<Node> items = s.list(key);
    for (int i = 0; i < items.size(); i++) {
      String v = YamlSection.scalar(items.get(i), s.pathOf(key) + "[" + i + "]", s.problems());
      if (v == null) {
        continue;
      }
      if (!allowed.contains(v)) {
        s.problems()
            .error(
                items.get(i),
                s.pathOf(key) + "[" + i + "]",
                "'" + v + "' is not allowed; use " + String.join(", ", allowed));
      } else if (!out.contains(v)) {
        out.add(v);
      }
    }
    if (out.isEmpty()) {
      s.error(key, "needs at least one of " + String.join(", ", allowed));
    }
    return out;
  }

  private static List<String> ciphers(YamlSection s, SslProvider provider) {
    if (!s.has("ciphers")) {
      return ListenerTlsConfig.INTERMEDIATE_CIPHERS;
    }
    Set<String> supported = new HashSet<>();
    if (provider != SslProvider.JDK) {
      supported.addAll(OpenSsl.availableJavaCipherSuites());
    } else {
      try {
        supported.addAll(
            List.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites()));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException("no TLS in this JDK", e);
      }
    }
    List<String> out = new ArrayList<>();
    List<Node> items = s.list("ciphers");
    for (int i = 0; i < items.size(); i++) {
      String path = s.pathOf("ciphers") + "[" + i + "]";
      String v = YamlSection.scalar(items.get(i), path, s.problems());
      if (v == null) {
        continue;
      }
      if (!supported.contains(v)) {
        s.problems()
            .error(
                items.get(i),
                path,
                "'"
                    + v
                    + "' is not a cipher suite the "
                    + TlsContexts.engineName(provider)
                    + " engine supports; use IANA names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
      } else {
        out.add(v);
      }
    }
    return out;
  }
}
