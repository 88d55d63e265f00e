package dev.tether.bench.idle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tether.bench.BenchCommand;
import dev.tether.bench.load.LoadTarget;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tether bench idle}: the memory a balancer spends per idle kept-alive client connection.
 *
 * <pre>
 * tether bench idle --url http://127.0.0.1:8080 --connections 8000 --request
 * tether bench idle --url http://127.0.0.1:8080 --connections 1000 --pid 4242 --admin http://127.0.0.1:9090 --json
 * </pre>
 *
 * <p>It reads the balancer process's resident set ({@code VmRSS} of {@code /proc/PID/status}),
 * opens half the connections, lets them idle, reads it again, opens the other half, lets them idle
 * and reads a third time. It divides the whole growth by the connections still open, and the second
 * half's growth by the connections that half added: the marginal cost of one more connection,
 * without one-time costs (code compiled for this path, heap pages touched for the first time) that
 * the first connections pay. Exit status: 0 when every connection opened and stayed open, 1 when
 * some did not, 2 for bad input (option values, an unreachable URL, a process that cannot be found
 * or read).
 */
@Command(
    name = "idle",
    mixinStandardHelpOptions = true,
    description = {
      "Open N idle kept-alive connections to the balancer and report its RSS growth per connection.",
      "Linux only (reads /proc). The balancer's idle timeout must outlast the run."
    })
public final class IdleCommand implements Callable<Integer> {

  /**
   * Descriptors this process keeps for itself beyond the client connections (jars, epoll, pipes).
   */
  static final int RESERVED_FILES = 256;

  @Option(
      names = "--url",
      required = true,
      paramLabel = "URL",
      description = "The balancer's listener, e.g. http://127.0.0.1:8080.")
  String url;

  @Option(
      names = "--connections",
      defaultValue = "1000",
      paramLabel = "N",
      description = "Idle connections to open (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--pid",
      paramLabel = "PID",
      description =
          "The balancer's process id. Default: the process of this user listening on the URL's port.")
  Long pid;

  @Option(
      names = "--request",
      description = "Send one GET on each connection (and read the response) before it idles.")
  boolean request;

  @Option(
      names = "--path",
      defaultValue = "/",
      description = "The path of those requests (default ${DEFAULT-VALUE}).")
  String path;

  @Option(
      names = "--warmup",
      defaultValue = "100",
      paramLabel = "N",
      description =
          "Connections used once and closed before the first reading (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--settle",
      defaultValue = "3s",
      paramLabel = "DURATION",
      description =
          "How long the connections idle before the second reading (default ${DEFAULT-VALUE}).")
  String settle;

  @Option(
      names = "--admin",
      paramLabel = "URL",
      description =
          "The admin API, for heap in use from /metrics (jvm_memory_used_bytes); default: not read.")
  String admin;

  @Option(
      names = "--gc",
      description =
          "Run a full GC in the balancer (jcmd PID GC.run) before each reading, so they compare live memory.")
  boolean gc;

  @Option(names = "--json", description = "Print the report as JSON instead of text.")
  boolean json;

  /**
   * The command line as settings; {@code self} is this process's id, {@code maxFiles} its
   * descriptor limit.
   */
  IdleSettings settings(long self, long maxFiles) {
    LoadTarget target = LoadTarget.parse(url);
    if (target.port() < 1 || target.port() > 65535) {
      throw new IllegalArgumentException("--url '" + url + "': the port must be 1..65535");
    }
    // a balancer in this process holds the server side of each connection too
    long perConnection = pid != null && pid == self ? 2 : 1;
    long max = Math.max(1, (maxFiles - RESERVED_FILES) / perConnection);
    if (connections < 1 || connections > max) {
      throw new IllegalArgumentException(
          "--connections is "
              + connections
              + "; allowed: 1.."
              + max
              + " (this process may open "
              + maxFiles
              + " files, see ulimit -n; each connection needs "
              + perConnection
              + (perConnection == 1
                  ? " descriptor)"
                  : " descriptors when the balancer is this process)"));
    }
    if (warmup < 0 || warmup > 10_000) {
      throw new IllegalArgumentException("--warmup is " + warmup + "; allowed: 0..10000");
    }
    if (pid != null && pid < 1) {
      throw new IllegalArgumentException("--pid is " + pid + "; allowed: a process id (1 or more)");
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("--path '" + path + "' must start with /");
    }
    URI adminUri = null;
    if (admin != null) {
      try {
        adminUri = URI.create(LoadTarget.parse(admin).url());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage().replace("--url", "--admin"), e);
      }
    }
    return new IdleSettings(
        target,
        connections,
        pid,
        request,
        warmup,
        BenchCommand.durationOf("--settle", settle),
        adminUri,
        path,
        gc);
  }

  @Override
  public Integer call() throws Exception {
    PrintStream err = System.err;
    ProcessMemory memory = ProcessMemory.system();
    IdleSettings s;
    long target;
    try {
      s = settings(ProcessHandle.current().pid(), maxOpenFiles(Path.of("/proc/self/limits")));
      reachable(s);
      target = s.pid() != null ? s.pid() : findListener(memory, s.target().port());
      if (!memory.readable(target)) {
        throw new IllegalArgumentException(
            "cannot read /proc/" + target + "/status: no such process of this user");
      }
    } catch (IllegalArgumentException e) {
      err.println("tether bench idle: " + e.getMessage());
      return 2;
    }
    RemoteGc remoteGc;
    try {
      remoteGc = s.gc() ? RemoteGc.ofRunningJdk() : null;
    } catch (IllegalArgumentException e) {
      err.println("tether bench idle: " + e.getMessage());
      return 2;
    }
    IdleReport report = IdleRun.run(s, target, memory, remoteGc);
    if (json) {
      System.out.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
    } else {
      System.out.print(report.text());
    }
    return report.stillOpen() == s.connections() ? 0 : 1;
  }

  private static long findListener(ProcessMemory memory, int port) {
    Long found = memory.listenerOf(port);
    if (found == null) {
      throw new IllegalArgumentException(
          "no process of this user listens on port " + port + "; pass --pid");
    }
    return found;
  }

  private static void reachable(IdleSettings s) {
    try (Socket sock = new Socket()) {
      sock.connect(new InetSocketAddress(s.target().host(), s.target().port()), 3000);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot connect to " + s.target().hostHeader() + ": " + e.getMessage());
    }
  }

  /**
   * The soft {@code Max open files} of a {@code /proc/PID/limits} file; 1024 when it cannot be
   * read.
   */
  static long maxOpenFiles(Path limits) {
    try {
      for (String line : Files.readAllLines(limits)) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).strip().split("\\s+")[0];
          return soft.equals("unlimited") ? Integer.MAX_VALUE : Long.parseLong(soft);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 1024;
    }
    return 1024;
  }
}
