package dev.tether.testing.net;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on {@code 127.0.0.1} port 0 in front of one server, whose behaviour tests change
 * while clients use it, to play a network or server fault without touching the server:
 *
 * <ul>
 *   <li>{@link #pass()}: bytes flow both ways at once (the start mode);
 *   <li>{@link #delay(Duration)}: every reply (server to client) is held for the given time before
 *       it is sent on, in order and without limiting throughput: a slow server or link;
 *   <li>{@link #blackhole()}: connections stay open and new ones are accepted, but no byte goes
 *       either way: a network partition or a hung server. Bytes are held, not dropped (TCP never
 *       loses bytes from the middle of a stream): after {@link #pass()} they flow on as after a
 *       healed partition; {@link #cutAll()} first to play a partition the peers gave up on;
 *   <li>{@link #refuse()}: new connections are reset as soon as they are accepted: a server that is
 *       down (existing connections are kept; add {@link #cutAll()} for a crash);
 *   <li>{@link #cutAll()}: resets every open connection now (TCP RST), the mode stays as it is.
 * </ul>
 *
 * <p>A mode applies to the bytes read after it was set. Plain blocking sockets on virtual threads:
 * two pumps per connection, the reply pump feeding a queue whose writer sends each chunk when its
 * delay is over. Thread-safe.
 *
 * <pre>{@code
 * try (FaultyProxy proxy = FaultyProxy.start("127.0.0.1", 5432)) {
 *   String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/db";
 *   proxy.delay(Duration.ofSeconds(3));
 *   proxy.blackhole();
 *   proxy.cutAll();
 *   proxy.pass();
 * }
 * }</pre>
 */
public final class FaultyProxy implements AutoCloseable {

  private enum Kind {
    PASS,
    DELAY,
    BLACKHOLE,
    REFUSE
  }

  private record Mode(Kind kind, long delayNanos) {}

  private record Chunk(byte[] bytes, long dueNanos) {}

  private static final Chunk END = new Chunk(new byte[0], 0);

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private volatile Mode mode = new Mode(Kind.PASS, 0);
  private volatile boolean closed;

  private FaultyProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("faulty-proxy-accept-" + server.getLocalPort()).start(this::acceptLoop);
  }

  /** A proxy in {@code pass} mode in front of {@code host:port}. */
  public static FaultyProxy start(String host, int port) {
    requireNonNull(host, "host");
    try {
      return new FaultyProxy(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a loopback listening socket", e);
    }
  }

  /** The loopback port clients connect to. */
  public int port() {
    return server.getLocalPort();
  }

  /** {@code 127.0.0.1}. */
  public String host() {
    return "127.0.0.1";
  }

  /** Lets bytes through both ways at once. */
  public void pass() {
    mode = new Mode(Kind.PASS, 0);
  }

  /** Holds every reply for {@code d} before sending it on. */
  public void delay(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("delay " + d + " must not be negative");
    }
    mode = new Mode(Kind.DELAY, d.toNanos());
  }

  /** Drops every byte either way; connections stay open, new ones are accepted. */
  public void blackhole() {
    mode = new Mode(Kind.BLACKHOLE, 0);
  }

  /** Resets new connections at once; open ones are kept. */
  public void refuse() {
    mode = new Mode(Kind.REFUSE, 0);
  }

  /** Resets every open connection now. */
  public void cutAll() {
    for (Socket s : open) {
      reset(s);
    }
  }

  /** How many connections are open through the proxy. */
  public int openConnections() {
    return open.size() / 2;
  }

  /** How many connections the proxy accepted since it started. */
  public long acceptedConnections() {
    return accepted.get();
  }

  /** Stops listening and resets every connection. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      cutAll();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      accepted.incrementAndGet();
      if (mode.kind() == Kind.REFUSE) {
        reset(client);
        continue;
      }
      Thread.ofVirtual().start(() -> connect(client));
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      upstream.connect(target, 5_000);
    } catch (IOException e) {
      reset(client);
      reset(upstream);
      return;
    }
    open.add(client);
    open.add(upstream);
    BlockingQueue<Chunk> replies = new LinkedBlockingQueue<>();
    Thread.ofVirtual().start(() -> pump(client, upstream, null));
    Thread.ofVirtual().start(() -> pump(upstream, client, replies));
    Thread.ofVirtual().start(() -> deliver(replies, client, upstream));
  }

  /** Copies {@code from} to {@code to}, or, for replies, into the delivery queue. */
  private void pump(Socket from, Socket to, BlockingQueue<Chunk> replies) {
    byte[] buf = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        Mode m = holdWhileBlackholed(from);
        if (replies == null) {
          out.write(buf, 0, n);
          out.flush();
        } else {
          long due = System.nanoTime() + (m.kind() == Kind.DELAY ? m.delayNanos() : 0);
          replies.add(new Chunk(Arrays.copyOf(buf, n), due));
        }
      }
      if (replies != null) {
        replies.add(END);
      } else {
        to.shutdownOutput();
      }
    } catch (IOException e) {
      if (replies != null) {
        replies.add(END);
      }
      reset(from);
      reset(to);
    }
  }

  private void deliver(BlockingQueue<Chunk> replies, Socket client, Socket upstream) {
    try {
      OutputStream out = client.getOutputStream();
      while (true) {
        Chunk c = replies.take();
        if (c == END) { // the server closed: so does the client side, then the connection
          client.shutdownOutput();
          close(client);
          close(upstream);
          return;
        }
        long wait = c.dueNanos() - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        holdWhileBlackholed(client);
        out.write(c.bytes());
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      reset(client);
      reset(upstream);
    }
  }

  /** Waits while the mode is blackhole (or until {@code s} is cut); returns the mode then. */
  private Mode holdWhileBlackholed(Socket s) throws IOException {
    Mode m = mode;
    while (m.kind() == Kind.BLACKHOLE) {
      if (s.isClosed() || closed) {
        throw new IOException("cut while blackholed");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while blackholed", e);
      }
      m = mode;
    }
    return m;
  }

  private void close(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  private void reset(Socket s) {
    open.remove(s);
    try {
      if (!s.isClosed()) {
        s.setSoLinger(true, 0);
      }
    } catch (IOException ignored) {
      // closing below is what matters
    }
    try {
      s.close();
    } catch (IOException ignored) {
      // already gone
    }
  }
}
