package dev.tether.app;

import dev.tether.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tether} command: {@code run}, {@code check}, {@code demo}, {@code bench}, {@code
 * drain} and {@code reload}.
 *
 * <pre>
 * tether run --config tether.yaml
 * tether check --config tether.yaml
 * tether demo
 * tether bench --url http://127.0.0.1:8080 --users 200 --duration 60s
 * tether bench store --stores memory,redis
 * tether drain web s2 --wait --deadline 10m --admin http://127.0.0.1:9090 --token-env TETHER_ADMIN_TOKEN
 * tether reload --admin http://127.0.0.1:9090
 * </pre>
 */
@Command(
    name = "tether",
    mixinStandardHelpOptions = true,
    version = "tether 0.1.0",
    description = "Session-aware HTTP load balancer.",
    subcommands = {
      RunCommand.class,
      CheckCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      DrainCommand.class,
      ReloadCommand.class,
      CommandLine.HelpCommand.class
    })
public final class TetherCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /**
   * Runs the command line and returns the exit code (0 ok, 1 problems found, 2 usage or config
   * error).
   */
  public static int execute(String... args) {
    return new CommandLine(new TetherCommand()).setUsageHelpAutoWidth(true).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
