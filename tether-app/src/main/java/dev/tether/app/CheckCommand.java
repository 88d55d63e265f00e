package dev.tether.app;

import dev.tether.proxy.config.TetherConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tether check --config FILE}: validates a configuration and says what is wrong. */
@Command(
    name = "check",
    description = "Validate a configuration file; exit 1 when it has problems.")
final class CheckCommand implements Callable<Integer> {

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "the YAML configuration")
  Path config;

  @Override
  public Integer call() {
    TetherConfig c = ConfigFiles.load(config, System.err);
    if (c == null) {
      return 1;
    }
    c.warnings().forEach(w -> System.out.println("warning: " + w));
    int servers = c.pools().values().stream().mapToInt(p -> p.servers().size()).sum();
    System.out.println(
        config
            + ": OK ("
            + c.pools().size()
            + " pool"
            + (c.pools().size() == 1 ? "" : "s")
            + ", "
            + servers
            + " server"
            + (servers == 1 ? "" : "s")
            + ", "
            + c.routes().size()
            + " route"
            + (c.routes().size() == 1 ? "" : "s")
            + ", listening on "
            + c.listen()
            + ")");
    return 0;
  }
}
