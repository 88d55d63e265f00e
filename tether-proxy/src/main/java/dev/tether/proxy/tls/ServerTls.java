package dev.tether.proxy.tls;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.ListenerTlsConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener's certificates, live: one TLS context per certificate, chosen by SNI (the first is
 * the default), rebuilt when the files change or on reload.
 *
 * <p>Design: the contexts and the SNI table form one immutable {@link Snapshot} behind a volatile
 * reference. A new connection's SNI lookup reads it once; a connection already established keeps
 * the engine it was made with, so replacing a certificate drops nothing. A reload that fails
 * (unreadable file, bad PEM, key not the certificate's) is logged and counted and leaves the old
 * snapshot serving. The files are hashed on the control plane's timer, never on an event loop.
 */
public final class ServerTls implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

  /** Everything a new connection needs; immutable. */
  private record Snapshot(
      ListenerTlsConfig config,
      List<CertifiedKey> keys,
      List<SslContext> contexts,
      Mapping<String, SslContext> sni,
      Map<SslContext, byte[]> ocsp,
      byte[] fingerprint) {}

  private final SslProvider provider;
  private final TicketKeys tickets;
  private final ScheduledExecutorService timer;
  private final LongAdder reloaded = new LongAdder();
  private final LongAdder reloadFailed = new LongAdder();
  private final LongAdder handshakes = new LongAdder();
  private final LongAdder handshakeFailures = new LongAdder();
  private volatile Snapshot current;
  private byte[] failedFingerprint;
  private ScheduledFuture<?> poll;
  private ScheduledFuture<?> rotation;

  private ServerTls(
      Snapshot first, SslProvider provider, TicketKeys tickets, ScheduledExecutorService timer) {
    this.current = first;
    this.provider = provider;
    this.tickets = tickets;
    this.timer = timer;
  }

  /**
   * Loads {@code config}'s certificates and starts watching them ({@code timer}: the control
   * plane's, or {@code null} for no watching and no rotation).
   *
   * @throws IllegalArgumentException when a certificate or key is bad (the message names the file)
   */
  public static ServerTls start(ListenerTlsConfig config, ScheduledExecutorService timer) {
    requireNonNull(config, "config");
    SslProvider provider = TlsContexts.provider(config.engine());
    TicketKeys tickets = new TicketKeys(new SecureRandom());
    ServerTls tls = new ServerTls(build(config, provider, tickets), provider, tickets, timer);
    tls.schedule(config);
    log.info(
        "TLS on the listener with the {} engine: {} certificate(s), default for {}",
        TlsContexts.engineName(provider),
        config.certificates().size(),
        tls.current.keys().getFirst().names());
    return tls;
  }

  private synchronized void schedule(ListenerTlsConfig c) {
    cancel();
    if (timer == null) {
      return;
    }
    if (!c.reloadCheck().isZero()) {
      long ms = c.reloadCheck().toMillis();
      poll = timer.scheduleWithFixedDelay(this::checkFiles, ms, ms, TimeUnit.MILLISECONDS);
    }
    if (!c.ticketRotation().isZero()) {
      long ms = c.ticketRotation().toMillis();
      rotation = timer.scheduleAtFixedRate(this::rotateTickets, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  private void cancel() {
    if (poll != null) {
      poll.cancel(false);
    }
    if (rotation != null) {
      rotation.cancel(false);
    }
  }

  private static Snapshot build(ListenerTlsConfig c, SslProvider provider, TicketKeys tickets) {
    byte[] fingerprint = fingerprint(c);
    List<CertifiedKey> keys = new ArrayList<>();
    List<SslContext> contexts = new ArrayList<>();
    Map<SslContext, byte[]> ocsp = new IdentityHashMap<>();
    for (ListenerTlsConfig.Certificate cert : c.certificates()) {
      CertifiedKey k = PemFiles.load(cert.certFile(), cert.keyFile());
      SslContext ctx;
      try {
        ctx = TlsContexts.server(k, c, provider);
      } catch (SSLException | RuntimeException e) {
        throw new IllegalArgumentException(
            cert.certFile() + ": cannot be used for TLS: " + e.getMessage(), e);
      }
      if (!c.ticketRotation().isZero()) {
        tickets.applyTo(ctx);
      }
      if (cert.ocspFile() != null && provider != SslProvider.JDK) {
        ocsp.put(ctx, read(cert.ocspFile()));
      }
      keys.add(k);
      contexts.add(ctx);
    }
    DomainWildcardMappingBuilder<SslContext> sni =
        new DomainWildcardMappingBuilder<>(contexts.getFirst());
    for (int i = keys.size() - 1; i >= 0; i--) { // the earlier certificate wins a name both carry
      for (String name : keys.get(i).names()) {
        sni.add(name, contexts.get(i));
      }
    }
    return new Snapshot(
        c, List.copyOf(keys), List.copyOf(contexts), sni.build(), ocsp, fingerprint);
  }

  /** The engine in use: {@code openssl} or {@code jdk}. */
  public String engine() {
    return TlsContexts.engineName(provider);
  }

  /** Whether ALPN offers {@code h2}. */
  public boolean offersHttp2() {
    return current.config().alpn().contains("h2");
  }

  /** A handler that picks the certificate by SNI and then terminates TLS; one per connection. */
  public SniHandler newHandler(long handshakeTimeoutMillis) {
    Snapshot s = current;
    return new SniHandler(s.sni(), handshakeTimeoutMillis) {
      @Override
      protected SslHandler newSslHandler(SslContext context, ByteBufAllocator allocator) {
        SslHandler h = super.newSslHandler(context, allocator);
        byte[] response = s.ocsp().get(context);
        if (response != null && h.engine() instanceof ReferenceCountedOpenSslEngine e) {
          e.setOcspResponse(response);
        }
        return h;
      }
    };
  }

  /** The {@code Strict-Transport-Security} value in force, or {@code null} (off). */
  public String hstsHeader() {
    ListenerTlsConfig.Hsts h = current.config().hsts();
    return h == null ? null : h.headerValue();
  }

  /** The certificates in service, in configuration order (the first is the default). */
  public List<CertifiedKey> certificates() {
    return current.keys();
  }

  /** A handshake finished; {@code ok} whether it succeeded. */
  public void handshake(boolean ok) {
    (ok ? handshakes : handshakeFailures).increment();
  }

  /**
   * Serves {@code next} from now on, when its certificates load; otherwise logs why, counts it and
   * keeps the certificates in service. Connections already open are not touched.
   *
   * @return whether {@code next} is now in service
   */
  public synchronized boolean apply(ListenerTlsConfig next) {
    Snapshot before = current;
    if (next.equals(before.config()) && Arrays.equals(fingerprint(next), before.fingerprint())) {
      return true;
    }
    if (TlsContexts.provider(next.engine()) != provider) {
      log.warn("tls.engine changes apply at the next restart");
    }
    try {
      current = build(next, provider, tickets);
    } catch (IllegalArgumentException e) {
      reloadFailed.increment();
      log.warn(
          "TLS certificates not reloaded, the previous ones stay in service: {}", e.getMessage());
      return false;
    }
    reloaded.increment();
    failedFingerprint = null;
    if (!next.reloadCheck().equals(before.config().reloadCheck())
        || !next.ticketRotation().equals(before.config().ticketRotation())) {
      schedule(next);
    }
    log.info(
        "TLS certificates reloaded: {} certificate(s), default for {}",
        next.certificates().size(),
        current.keys().getFirst().names());
    return true;
  }

  /** Reloads when the certificate files changed since they were loaded; on the timer. */
  public synchronized void checkFiles() {
    Snapshot s = current;
    byte[] now = fingerprint(s.config());
    if (Arrays.equals(now, s.fingerprint()) || Arrays.equals(now, failedFingerprint)) {
      return;
    }
    if (!apply(s.config())) {
      failedFingerprint =
          now; // a half-written pair is retried when it changes again, not logged every poll
    }
  }

  /** A new session-ticket key; the previous one still decrypts. */
  void rotateTickets() {
    tickets.rotate();
    current.contexts().forEach(tickets::applyTo);
  }

  /** Registers {@code tether.tls.*} meters with {@code registry}. */
  public void bind(MeterRegistry registry) {
    FunctionCounter.builder("tether.tls.reloads", reloaded, LongAdder::sum)
        .tag("result", "loaded")
        .description("certificate reloads put in service")
        .register(registry);
    FunctionCounter.builder("tether.tls.reloads", reloadFailed, LongAdder::sum)
        .tag("result", "failed")
        .description(
            "certificate reloads refused (bad file, key not the certificate's); the old certificates stayed")
        .register(registry);
    FunctionCounter.builder("tether.tls.handshakes", handshakes, LongAdder::sum)
        .tag("result", "ok")
        .description("TLS handshakes completed on the listener")
        .register(registry);
    FunctionCounter.builder("tether.tls.handshakes", handshakeFailures, LongAdder::sum)
        .tag("result", "failed")
        .description("TLS handshakes that failed on the listener")
        .register(registry);
    Gauge.builder(
            "tether.tls.certificate.expiry",
            this,
            t ->
                (t.current.keys().getFirst().leaf().getNotAfter().getTime()
                        - System.currentTimeMillis())
                    / 1000.0)
        .description("seconds until the default certificate expires")
        .baseUnit("seconds")
        .register(registry);
  }

  /** Reloads that succeeded so far (files changed or reload). */
  public long reloads() {
    return reloaded.sum();
  }

  /** Reloads refused so far; the previous certificates stayed in service. */
  public long failedReloads() {
    return reloadFailed.sum();
  }

  @Override
  public synchronized void close() {
    cancel();
  }

  /** SHA-256 over every file the configuration names, or an empty array when one cannot be read. */
  private static byte[] fingerprint(ListenerTlsConfig c) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (ListenerTlsConfig.Certificate cert : c.certificates()) {
      for (Path p : new Path[] {cert.certFile(), cert.keyFile(), cert.ocspFile()}) {
        if (p == null) {
          continue;
        }
        try {
          md.update(Files.readAllBytes(p));
        } catch (IOException e) {
          return new byte[0];
        }
      }
    }
    return md.digest();
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new IllegalArgumentException(p + ": cannot be read: " + e.getMessage(), e);
    }
  }
}
