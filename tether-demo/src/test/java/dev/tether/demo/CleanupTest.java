package dev.tether.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link DemoCluster#close} leaves no thread and no port behind, kills and restarts included. */
class CleanupTest {

  static Stream<Arguments> stores() {
    return Stream.of(
        Arguments.of(
            "grid", (Supplier<DemoSettings>) () -> DemoSettings.defaults().withInstances(2)),
        Arguments.of(
            "redis",
            (Supplier<DemoSettings>)
                () ->
                    DemoSettings.defaults()
                        .withInstances(2)
                        .withStore(StoreKind.REDIS, Services.redis())
                        .withNamespace(Services.namespace())),
        Arguments.of(
            "jdbc (H2)",
            (Supplier<DemoSettings>)
                () -> DemoSettings.defaults().withInstances(2).withStore(StoreKind.JDBC, null)),
        Arguments.of(
            "file",
            (Supplier<DemoSettings>)
                () -> DemoSettings.defaults().withInstances(2).withStore(StoreKind.FILE, null)),
        Arguments.of(
            "memory",
            (Supplier<DemoSettings>)
                () -> DemoSettings.defaults().withInstances(2).withStore(StoreKind.MEMORY, null)));
  }

  /** The name prefix of the JDK's virtual-thread scheduler pool ("ForkJoinPool-1-"). */
  private static String virtualScheduler;

  @BeforeAll
  static void findTheVirtualThreadScheduler() throws InterruptedException {
    String[] carrier = new String[1];
    Thread.ofVirtual().start(() -> carrier[0] = Thread.currentThread().toString()).join();
    String s = carrier[0]; // VirtualThread[#42]/runnable@ForkJoinPool-1-worker-1
    String pool = s.substring(s.indexOf('@') + 1);
    virtualScheduler = pool.substring(0, pool.indexOf("worker"));
  }

  /**
   * Threads that belong to the JVM rather than to the cluster and outlive any one component by
   * design: the JDK's common and virtual-thread pools and pollers, RxJava's global cache evictor
   * (Infinispan uses RxJava's shared schedulers, which live for the JVM), the test tools' own.
   */
  private static boolean ours(Thread t) {
    String n = t.getName();
    return t.isAlive()
        && !n.startsWith("ForkJoinPool.commonPool")
        && !n.startsWith("process reaper")
        && !n.equals("Attach Listener")
        && !n.startsWith("surefire")
        && !n.equals("Common-Cleaner")
        && !n.startsWith("InnocuousThread")
        && !n.startsWith(virtualScheduler)
        && !n.equals("VirtualThread-unblocker")
        && !n.endsWith("Poller")
        && !n.startsWith("RxCachedWorkerPoolEvictor")
        && !n.startsWith("awaitility");
  }

  private static Set<Thread> threads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(CleanupTest::ours)
        .collect(Collectors.toSet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void closeLeavesNoThreadOrPort(String name, Supplier<DemoSettings> settings) {
    DemoSettings s = settings.get();
    Set<Thread> before = threads();
    List<DemoInstance> instances;
    try (DemoCluster demo = DemoCluster.start(s);
        Shopper alice = new Shopper()) {
      alice.login(demo.instance("s1"), "alice");
      try (Shopper.Chat chat = alice.chat(demo.instance("s1")).ready()) {
        chat.say("hello");
        chat.next();
      }
      demo.kill("s1");
      demo.start("s1");
      demo.add();
      instances = demo.instances();
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              Set<Thread> left = threads();
              left.removeAll(before);
              assertThat(left).extracting(Thread::getName).isEmpty();
            });
    for (DemoInstance i : instances) {
      try (ServerSocket free = new ServerSocket(i.port(), 1, InetAddress.getByName(i.host()))) {
        assertThat(free.getLocalPort()).isEqualTo(i.port());
      } catch (IOException e) {
        throw new AssertionError(i.name() + "'s port " + i.port() + " is still taken", e);
      }
    }
  }
}
