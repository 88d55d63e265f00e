import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo admin endpoints for the Tomcat anchor, so {@code tether bench --chaos} drives the same
 * kill against it: supervises one Tomcat per CATALINA_BASE under BASEDIR ({@code catalina.sh run})
 * and answers {@code POST /api/demo/instances/{name}/kill|start} on 127.0.0.1 (port 0; the port is
 * written to BASEDIR/admin.port). Each Tomcat's pid is in BASEDIR/NAME.pid for the caller's trap.
 *
 * <pre>java bench/anchor/AnchorAdmin.java BASEDIR CATALINA_HOME t1 t2 t3</pre>
 */
public final class AnchorAdmin {

  private static final Pattern ACTION = Pattern.compile("/api/demo/instances/([A-Za-z0-9_.-]+)/(kill|start)");
  private static final Map<String, Process> RUNNING = new ConcurrentHashMap<>();
  private static Path base;
  private static String home;

  public static void main(String[] args) throws Exception {
    base = Path.of(args[0]);
    home = args[1];
    for (int i = 2; i < args.length; i++) {
      start(args[i]);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.values().forEach(Process::destroyForcibly)));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    server.createContext("/", AnchorAdmin::handle);
    server.start();
    Files.writeString(base.resolve("admin.port"), Integer.toString(server.getAddress().getPort()));
  }

  private static synchronized boolean start(String name) throws IOException {
    Process p = RUNNING.get(name);
    if (p != null && p.isAlive()) {
      return false;
    }
    Path dir = base.resolve(name);
    ProcessBuilder pb = new ProcessBuilder(home + "/bin/catalina.sh", "run")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("logs/console.log").toFile()));
    pb.environment().put("CATALINA_HOME", home);
    pb.environment().put("CATALINA_BASE", dir.toString());
    pb.environment().put("CATALINA_OPTS", "-Dshop.instance=" + name + " -Xmx256m -XX:+UseSerialGC");
    p = pb.start();
    RUNNING.put(name, p);
    Files.writeString(base.resolve(name + ".pid"), Long.toString(p.pid()));
    return true;
  }

  private static synchronized boolean kill(String name) throws InterruptedException {
    Process p = RUNNING.get(name);
    if (p == null || !p.isAlive()) {
      return false;
    }
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly().waitFor();
    return true;
  }

  private static void handle(HttpExchange ex) throws IOException {
    try (ex) {
      Matcher m = ACTION.matcher(ex.getRequestURI().getPath());
      int status;
      String body;
      if (!ex.getRequestMethod().equals("POST") || !m.matches()) {
        status = 404;
        body = "{\"error\":\"only POST /api/demo/instances/{name}/kill|start\"}";
      } else if (!Files.isDirectory(base.resolve(m.group(1)))) {
        status = 404;
        body = "{\"error\":\"no instance " + m.group(1) + "\"}";
      } else {
        boolean changed;
        try {
          changed = m.group(2).equals("kill") ? kill(m.group(1)) : start(m.group(1));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          changed = false;
        }
        status = 200;
        body = "{\"name\":\"" + m.group(1) + "\",\"running\":" + m.group(2).equals("start")
            + (changed ? "" : ",\"unchanged\":true") + "}";
      }
      byte[] out = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(status, out.length);
      ex.getResponseBody().write(out);
    }
  }
}
