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

  /** Netty's property for how many buffers it allocates per one it tracks for leaks. */
  static final String LEAK_SAMPLING = "io.netty.leakDetection.samplingInterval";

  /**
   * One tracked buffer in this many, unless {@code -Dio.netty.leakDetection.samplingInterval} says
   * otherwise. Netty tracks one in 128 and records a stack trace when a tracked buffer is made and
   * released: 2 % of the CPU an HTTP/2 request costs. One in 4,096 still reports a buffer that
   * leaks on a path taken thousands of times, and the test suite tracks every buffer (paranoid).
   */
  static final int LEAK_SAMPLING_DEFAULT = 4096;

  public static void main(String[] args) {
    defaultLeakSampling(System.getProperties()); // before any Netty class reads it
    System.exit(execute(args));
  }

  /** Sets {@link #LEAK_SAMPLING} in {@code props} to the default unless it is set. */
  static void defaultLeakSampling(java.util.Properties props) {
    props.putIfAbsent(LEAK_SAMPLING, Integer.toString(LEAK_SAMPLING_DEFAULT));
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
