package dev.tether.app;

import dev.tether.app.demo.DemoBackend;
import dev.tether.proxy.TetherServer;
import dev.tether.proxy.config.ConfigException;
import dev.tether.proxy.config.ConfigLoader;
import dev.tether.proxy.config.TetherConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tether demo}: the balancer on a built-in configuration in front of three small built-in
 * application instances on loopback, all in one process, so a newcomer sees balancing at once.
 */
@Command(name = "demo", description = "Run the balancer on a built-in configuration with three built-in backends.")
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "8080", description = "balancer port (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--backend-port", defaultValue = "18081",
      description = "first backend port; the three backends use it and the next two (default ${DEFAULT-VALUE})")
  int backendPort;

  @Option(names = "--admin-port", defaultValue = "9090", description = "admin API port (default ${DEFAULT-VALUE})")
  int adminPort;

  @Option(names = "--print-config", description = "print the built-in configuration and exit")
  boolean printConfig;

  static String configYaml(int port, int backendPort, int adminPort) {
    return """
        # tether demo: the built-in configuration
        listen: 127.0.0.1:%d
        workers: 1
        admin: { listen: 127.0.0.1:%d }
        pools:
          web:
            algorithm: round-robin
            health: { path: /healthz, interval: 2s, timeout: 1s, rise: 2, fall: 2 }
            servers:
              - { name: s1, address: 127.0.0.1:%d }
              - { name: s2, address: 127.0.0.1:%d }
              - { name: s3, address: 127.0.0.1:%d }
        """.formatted(port, adminPort, backendPort, backendPort + 1, backendPort + 2);
  }

  @Override
  public Integer call() throws Exception {
    String yaml = configYaml(port, backendPort, adminPort);
    if (printConfig) {
      System.out.print(yaml);
      return 0;
    }
    TetherConfig config;
    try {
      config = ConfigLoader.parse(yaml, "built-in demo configuration");
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    List<DemoBackend> backends = new ArrayList<>();
    TetherServer server;
    try {
      for (int i = 0; i < 3; i++) {
        backends.add(new DemoBackend("s" + (i + 1), "127.0.0.1", backendPort + i, group));
      }
      server = TetherServer.start(config);
    } catch (RuntimeException e) {
      System.err.println("tether demo could not start: " + e.getMessage()
          + " (is something already using port " + port + ", " + adminPort + " or " + backendPort + "-" + (backendPort + 2)
          + "? choose others with --port, --admin-port and --backend-port)");
      backends.forEach(DemoBackend::close);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      return 2;
    }
    System.out.println("""

        tether demo is running.
          balancer:  http://127.0.0.1:%d/   (round robin over s1, s2, s3)
          backends:  http://127.0.0.1:%d/  http://127.0.0.1:%d/  http://127.0.0.1:%d/  (health-checked)
          admin:     http://127.0.0.1:%d/api/pools/web/servers   and   /metrics
        Try:  for i in 1 2 3 4 5 6; do curl -s http://127.0.0.1:%d/; done
              curl -s -X POST http://127.0.0.1:%d/api/pools/web/servers/s2/drain
        Stop with Ctrl-C.
        """.formatted(port, backendPort, backendPort + 1, backendPort + 2, adminPort, port, adminPort));
    RunCommand.awaitShutdown(() -> {
      server.close();
      backends.forEach(DemoBackend::close);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    });
    return 0;
  }
}
