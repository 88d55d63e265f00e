package dev.tether.app;

import dev.tether.proxy.admin.Reloader;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.control.ControlPlane;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tether run --config FILE}: runs the balancer until SIGTERM or SIGINT, then shuts down
 * gracefully (in-flight requests finish within {@code timeouts.shutdown}). SIGHUP reloads the file;
 * a file with problems is reported and the running configuration kept. SIGUSR1 reopens the access
 * log file (log rotation).
 */
@Command(name = "run", description = "Run the balancer with a configuration file.")
final class RunCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "the YAML configuration")
  Path config;

  @Override
  public Integer call() throws InterruptedException {
    TetherConfig c = ConfigFiles.load(config, System.err);
    if (c == null) {
      return 2;
    }
    AtomicReference<ControlPlane> started = new AtomicReference<>();
    Reloader reloader =
        () -> {
          TetherConfig next;
          try {
            next = ConfigFiles.loadOrThrow(config);
          } catch (IllegalArgumentException e) {
            log.warn(
                "reload of {} refused; still running the previous configuration:\n{}",
                config,
                e.getMessage());
            throw e;
          }
          ControlPlane running = started.get();
          if (running == null) {
            throw new UnsupportedOperationException("the balancer is still starting; try again");
          }
          running.reload(next);
        };
    ControlPlane server;
    try {
      server = ControlPlane.start(c, reloader);
    } catch (IllegalStateException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    started.set(server);
    Signals.onHangup(
        () -> {
          try {
            reloader.reload();
          } catch (IllegalArgumentException e) {
            // logged by the reloader
          }
        });
    Signals.onUserSignal1(server.proxy().runtime().accessLog()::reopen);
    awaitShutdown(server);
    return 0;
  }

  /** Blocks until the JVM is asked to stop, then stops {@code server} gracefully. */
  static void awaitShutdown(AutoCloseable server) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (Exception e) {
                    log.error("error during shutdown", e);
                  } finally {
                    stopped.countDown();
                  }
                },
                "tether-shutdown"));
    stopped.await();
  }
}
