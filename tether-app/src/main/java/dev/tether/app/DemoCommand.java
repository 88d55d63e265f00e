package dev.tether.app;

import dev.tether.app.demo.DemoBalancerConfig;
import dev.tether.app.demo.DemoRuntime;
import dev.tether.demo.DemoInstance;
import dev.tether.demo.DemoSettings;
import dev.tether.demo.StoreKind;
import dev.tether.proxy.admin.InstanceControl.Instance;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tether demo}: the balancer (cookie affinity, power-of-two, active health checks, the admin
 * API and dashboard) in front of the demo shop's instances sharing one session store, all in this
 * process, so a newcomer sees a session survive the server it was stuck to.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Run the balancer in front of the demo shop's instances, which share their sessions.")
final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--store",
      defaultValue = "grid",
      paramLabel = "KIND",
      description =
          "where the instances keep sessions: grid (embedded, replicated; default), redis, jdbc, file,"
              + " or memory (each instance its own: a killed instance loses its carts)")
  String store;

  @Option(
      names = "--store-uri",
      paramLabel = "URI",
      description =
          "redis: redis://host:port; jdbc: a JDBC URL with user and password "
              + "(jdbc:postgresql://127.0.0.1/db?user=u&password=p; default H2 in memory); file: a directory")
  String storeUri;

  @Option(
      names = "--instances",
      defaultValue = "3",
      paramLabel = "N",
      description = "shop instances, 1..20 (default ${DEFAULT-VALUE})")
  int instances;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "the shop, through the balancer (default ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--admin-port",
      defaultValue = "9090",
      description = "the admin API and dashboard (default ${DEFAULT-VALUE})")
  int adminPort;

  @Option(
      names = "--print-config",
      description = "print the balancer configuration the demo would run, and exit")
  boolean printConfig;

  @Override
  public Integer call() throws Exception {
    DemoSettings settings;
    try {
      if (port < 0 || port > 65535 || adminPort < 0 || adminPort > 65535) {
        throw new IllegalArgumentException(
            "ports must be 0..65535 (0 = any free port); got --port "
                + port
                + " --admin-port "
                + adminPort);
      }
      StoreKind kind = StoreKind.of(store);
      settings = DemoSettings.defaults().withStore(kind, storeUri).withInstances(instances);
    } catch (IllegalArgumentException e) {
      System.err.println("tether demo: " + e.getMessage());
      return 2;
    }
    DemoBalancerConfig shape =
        new DemoBalancerConfig(
            settings.host(), port, adminPort, settings.store() != StoreKind.MEMORY);
    if (printConfig) {
      // The instances take free ports when they start; the printed addresses stand in for them.
      List<Instance> placeholders =
          IntStream.rangeClosed(1, instances)
              .mapToObj(i -> new Instance("s" + i, settings.host() + ":" + (18080 + i), true))
              .toList();
      System.out.print(
          "# instance addresses are chosen when the demo starts; these stand in for them\n"
              + shape.yaml(placeholders));
      return 0;
    }
    System.err.println(
        "tether demo: starting "
            + instances
            + " shop instances over the "
            + settings.store().id()
            + " store...");
    DemoRuntime demo;
    try {
      demo = DemoRuntime.start(settings, shape);
    } catch (RuntimeException e) {
      System.err.println(
          "tether demo could not start: "
              + e.getMessage()
              + "\n(is something already using port "
              + port
              + " or "
              + adminPort
              + "? choose others with --port and --admin-port)");
      return 2;
    }
    String names =
        demo.cluster().instances().stream()
            .map(DemoInstance::name)
            .collect(Collectors.joining(", "));
    String first = demo.cluster().instances().get(0).name();
    System.out.println(
        """

        tether demo is running: %d shop instances (%s) share their sessions through the %s store.
          shop:       %s
          dashboard:  %s
        Three things to try:
          1. Open the shop, sign in, add a few things to the cart, and note which instance served you.
          2. In the dashboard, press "kill" on that instance, then reload the shop: %s
          3. Script it:  curl -s -c jar -H 'Content-Type: application/json' -d '{"user":"ada"}' %sapi/login
                         curl -s -b jar -c jar -H 'Content-Type: application/json' -d '{"sku":"mug"}' %sapi/cart/items
                         curl -s -X POST %sapi/demo/instances/%s/kill ;  curl -s -b jar %sapi/cart
        Stop with Ctrl-C.
        """
            .formatted(
                instances,
                names,
                settings.store().id(),
                demo.shopUrl(),
                demo.adminUrl(),
                settings.store() == StoreKind.MEMORY
                    ? "another instance serves you, and the cart is gone (memory keeps sessions per instance)."
                    : "another instance serves you, and the cart is still there.",
                demo.shopUrl(),
                demo.shopUrl(),
                demo.adminUrl(),
                first,
                demo.shopUrl()));
    RunCommand.awaitShutdown(demo);
    return 0;
  }
}
