package dev.tether.demo;

import static java.util.Objects.requireNonNull;

import dev.tether.demo.store.InstanceStore;
import dev.tether.demo.store.StoreBackend;
import dev.tether.demo.web.DemoApp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo shop and chat, running: instances {@code s1..sN} in this JVM, each a Jetty server on its
 * own loopback port with tether-session over one store (see {@link StoreKind}), each serving the
 * shop pages, the JSON API ({@code /api/...}), the chat ({@code /ws/chat}), {@code /healthz} and
 * {@code /tether/metrics}.
 *
 * <pre>{@code
 * try (DemoCluster demo = DemoCluster.start(DemoSettings.defaults())) {   // 3 x grid
 *   for (DemoInstance i : demo.instances()) { pool.add(i.name(), i.address()); }
 *   demo.kill("s2");      // crash: connections cut, grid member gone without a goodbye
 *   demo.start("s2");     // back on the same port, a new grid member joins
 *   demo.add();           // s4 on a new port
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@link #start} returns once every instance answers {@code GET /healthz} (the
 * first instance starts alone, so a grid has a coordinator to join; the others start in parallel).
 * {@link #kill}, {@link #start(String)} and {@link #add} return when the instance is down, or up
 * and healthy. An instance keeps its name and port for the cluster's life: a killed instance's port
 * is free until it is started again (another process could take it meanwhile; then {@code start}
 * fails). {@link #close} stops every instance gracefully and releases the store (grid members
 * leave, connections and pools close, a temporary directory or in-memory database is deleted): no
 * thread or port of the cluster is left.
 *
 * <p><b>Errors</b> (what the admin API maps to 404 and 409): an unknown or malformed instance name
 * is an {@link IllegalArgumentException}; killing a stopped instance, starting a running one,
 * adding a taken name or going past {@link DemoSettings#MAX_INSTANCES} is an {@link
 * IllegalStateException}. Thread-safe: control calls are serialised.
 */
public final class DemoCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DemoCluster.class);
  private static final Pattern NAME = Pattern.compile("s([1-9][0-9]?)");
  private static final Duration HEALTHY_WITHIN = Duration.ofSeconds(30);

  private final DemoSettings settings;
  private final Clock clock;
  private final StoreBackend backend;
  private final Map<String, Slot> slots =
      new TreeMap<>(Comparator.comparingInt(DemoCluster::number));
  private final HttpClient http;
  private boolean closed;

  private static final class Slot {
    final String name;
    int port;
    DemoApp app;

    Slot(String name, int port) {
      this.name = name;
      this.port = port;
    }
  }

  private DemoCluster(DemoSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.backend = StoreBackend.of(settings, clock);
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  /**
   * Starts {@link DemoSettings#instances()} instances and waits until each answers {@code
   * /healthz}.
   *
   * @throws IllegalStateException when an instance or the store cannot start (the store is
   *     unreachable, a port is taken); whatever had started is stopped again
   */
  public static DemoCluster start(DemoSettings settings) {
    return start(settings, Clock.systemUTC());
  }

  /** As {@link #start(DemoSettings)} with the clock sessions are judged by. */
  public static DemoCluster start(DemoSettings settings, Clock clock) {
    DemoCluster c =
        new DemoCluster(requireNonNull(settings, "settings"), requireNonNull(clock, "clock"));
    try {
      c.startAll(settings.instances());
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private synchronized void startAll(int n) {
    long t0 = System.nanoTime();
    List<Slot> all = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      Slot s = new Slot("s" + i, 0);
      slots.put(s.name, s);
      all.add(s);
    }
    launch(all.getFirst());
    if (n > 1) {
      try (ExecutorService pool =
          Executors.newFixedThreadPool(n - 1, r -> new Thread(r, "tether-demo-start"))) {
        List<Future<?>> started = new ArrayList<>();
        for (Slot s : all.subList(1, n)) {
          started.add(pool.submit(() -> launch(s)));
        }
        for (Future<?> f : started) {
          join(f);
        }
      }
    }
    log.info(
        "demo: {} instances over {} up in {} ms",
        n,
        settings.store().id(),
        Duration.ofNanos(System.nanoTime() - t0).toMillis());
  }

  private static void join(Future<?> f) {
    try {
      f.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the demo instances", e);
    }
  }

  /**
   * Starts {@code slot}'s instance on its port (a free one the first time) and waits for health.
   */
  private void launch(Slot slot) {
    InstanceStore store = backend.open(slot.name);
    DemoApp app;
    try {
      app =
          DemoApp.start(
              new DemoApp.Spec(slot.name, settings.host(), slot.port, settings, store, clock));
    } catch (Exception e) {
      store.release().run();
      throw new IllegalStateException(
          "demo instance "
              + slot.name
              + " cannot start on "
              + settings.host()
              + ":"
              + slot.port
              + ": "
              + e.getMessage(),
          e);
    }
    synchronized (slot) {
      slot.app = app;
      slot.port = app.port();
    }
    awaitHealthy(slot.name, app.port());
  }

  private void awaitHealthy(String name, int port) {
    URI health = URI.create("http://" + hostForUri() + ":" + port + "/healthz");
    long deadline = System.nanoTime() + HEALTHY_WITHIN.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + name, e);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    throw new IllegalStateException(
        name + " did not answer " + health + " within " + HEALTHY_WITHIN, last);
  }

  private String hostForUri() {
    return settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
  }

  /** The settings the cluster runs with. */
  public DemoSettings settings() {
    return settings;
  }

  /** Every instance, running or not, in name order ({@code s1, s2, …, s10}). */
  public synchronized List<DemoInstance> instances() {
    return slots.values().stream().map(this::describe).toList();
  }

  /** Instance {@code name}; see {@link #instances()}. */
  public synchronized DemoInstance instance(String name) {
    return describe(slot(name));
  }

  private DemoInstance describe(Slot s) {
    synchronized (s) {
      return new DemoInstance(s.name, settings.host(), s.port, s.app != null);
    }
  }

  /**
   * Crashes instance {@code name}: its connections are cut at once, Jetty stops without waiting,
   * and its hold on the store ends without a goodbye (a grid member drops out without leaving; see
   * the grid backend's notes). Returns it, not running.
   */
  public synchronized DemoInstance kill(String name) {
    Slot s = slot(name);
    if (s.app == null) {
      throw new IllegalStateException(
          "instance " + name + " is not running; start it with start(\"" + name + "\")");
    }
    DemoApp app = s.app;
    s.app = null;
    app.crash();
    log.info("demo: {} killed", name);
    return describe(s);
  }

  /** Starts the stopped instance {@code name} again on its old port; returns it, running. */
  public synchronized DemoInstance start(String name) {
    Slot s = slot(name);
    if (s.app != null) {
      throw new IllegalStateException("instance " + name + " is already running");
    }
    launch(s);
    log.info("demo: {} started again on port {}", name, s.port);
    return describe(s);
  }

  /** As {@link #add(String)} with the next free name. */
  public DemoInstance add() {
    return add(null);
  }

  /**
   * Starts a new instance named {@code name} ({@code s<number>}, 1..{@value
   * DemoSettings#MAX_INSTANCES}), or, when {@code null}, the next number after the highest; returns
   * it, running.
   */
  public synchronized DemoInstance add(String name) {
    if (closed) {
      throw new IllegalStateException("the demo cluster is closed");
    }
    if (slots.size() >= DemoSettings.MAX_INSTANCES) {
      throw new IllegalStateException(
          "the demo runs at most " + DemoSettings.MAX_INSTANCES + " instances");
    }
    String n =
        name != null
            ? name
            : "s" + (slots.keySet().stream().mapToInt(DemoCluster::number).max().orElse(0) + 1);
    int number = number(n);
    if (number > DemoSettings.MAX_INSTANCES) {
      throw new IllegalArgumentException(
          "instance name '"
              + n
              + "' is out of range; allowed: s1 to s"
              + DemoSettings.MAX_INSTANCES);
    }
    if (slots.containsKey(n)) {
      throw new IllegalStateException(
          "instance " + n + " already exists; start it with start(\"" + n + "\")");
    }
    Slot s = new Slot(n, 0);
    slots.put(n, s);
    try {
      launch(s);
    } catch (RuntimeException e) {
      slots.remove(n);
      throw e;
    }
    log.info("demo: {} added on port {}", n, s.port);
    return describe(s);
  }

  private Slot slot(String name) {
    requireNonNull(name, "name");
    Slot s = slots.get(name);
    if (s == null) {
      throw new IllegalArgumentException(
          "no instance '" + name + "'; the instances are " + slots.keySet());
    }
    return s;
  }

  private static int number(String name) {
    Matcher m = NAME.matcher(name == null ? "" : name);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "instance name '" + name + "' is not allowed; use s1, s2, … (s and a number)");
    }
    return Integer.parseInt(m.group(1));
  }

  /** Stops every instance gracefully and releases the store; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    List<Slot> running = new ArrayList<>(slots.values());
    java.util.Collections.reverse(running);
    for (Slot s : running) {
      DemoApp app = s.app;
      s.app = null;
      if (app != null) {
        try {
          app.close();
        } catch (RuntimeException e) {
          failure = failure == null ? e : failure;
        }
      }
    }
    try {
      backend.close();
    } catch (RuntimeException e) {
      failure = failure == null ? e : failure;
    }
    http.close();
    if (failure != null) {
      throw failure;
    }
  }
}
