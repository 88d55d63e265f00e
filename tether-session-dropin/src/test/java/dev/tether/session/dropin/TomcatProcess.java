package dev.tether.session.dropin;

import static org.awaitility.Awaitility.await;

import dev.tether.testing.net.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Tomcat started as its own process from a {@code CATALINA_HOME} (the Debian {@code
 * tomcat10} package's by default) with a private {@code CATALINA_BASE}: a minimal {@code
 * server.xml} (one loopback connector, no shutdown port), the home's {@code conf/web.xml}, the
 * drop-in jars and a {@code tether-session.properties} in {@code lib/}, and the sample application,
 * unmodified, as {@code webapps/ROOT}. Console output goes to {@code logs/console.log}.
 */
final class TomcatProcess implements AutoCloseable {

  private final Path base;
  private final int port;
  private final Process process;

  private TomcatProcess(Path base, int port, Process process) {
    this.base = base;
    this.port = port;
    this.process = process;
  }

  /**
   * Prepares {@code base} and starts Tomcat; returns once Tomcat logged the end of its start-up
   * (whether or not the application started).
   */
  static TomcatProcess start(Path home, Path base, String properties) throws IOException {
    return start(home, base, properties, java.util.Map.of());
  }

  /**
   * As {@link #start(Path, Path, String)}, with {@code env} added to Tomcat's environment; a null
   * {@code properties} puts no file into {@code lib/}.
   */
  static TomcatProcess start(
      Path home, Path base, String properties, java.util.Map<String, String> env)
      throws IOException {
    for (String d : List.of("conf", "lib", "logs", "temp", "webapps", "work")) {
      Files.createDirectories(base.resolve(d));
    }
    Files.copy(webXml(home), base.resolve("conf/web.xml"));
    Files.writeString(
        base.resolve("conf/logging.properties"),
        "handlers = java.util.logging.ConsoleHandler\n.level = INFO\n"
            + "java.util.logging.ConsoleHandler.level = ALL\n"
            + "java.util.logging.ConsoleHandler.formatter = org.apache.juli.OneLineFormatter\n");
    for (Path jar : SampleApp.dropinJars()) {
      Files.copy(jar, base.resolve("lib").resolve(jar.getFileName()));
    }
    if (properties != null) {
      Files.writeString(base.resolve("lib/tether-session.properties"), properties);
    }
    SampleApp.write(base.resolve("webapps/ROOT"), List.of());
    int port = FreePorts.loopback(1).get(0); // Tomcat's connector cannot take port 0 and report it
    Files.writeString(
        base.resolve("conf/server.xml"),
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Server port="-1" shutdown="SHUTDOWN">
          <Service name="Catalina">
            <Connector port="%d" address="127.0.0.1" protocol="HTTP/1.1" connectionTimeout="20000"/>
            <Engine name="Catalina" defaultHost="localhost">
              <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
            </Engine>
          </Service>
        </Server>
        """
            .formatted(port));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dcatalina.home=" + home,
                "-Dcatalina.base=" + base,
                "-Djava.io.tmpdir=" + base.resolve("temp"),
                "-Djava.util.logging.config.file=" + base.resolve("conf/logging.properties"),
                "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                home.resolve("bin/bootstrap.jar") + ":" + home.resolve("bin/tomcat-juli.jar"),
                "org.apache.catalina.startup.Bootstrap",
                "start"));
    Path log = base.resolve("logs/console.log");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(base.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("TETHER_SESSION_"));
    pb.environment().putAll(env);
    TomcatProcess t = new TomcatProcess(base, port, pb.start());
    try {
      await("Tomcat start-up in " + base)
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                if (!t.process.isAlive()) {
                  throw new IllegalStateException(
                      "Tomcat exited with " + t.process.exitValue() + ":\n" + t.log());
                }
                return t.log().contains("Server startup in");
              });
    } catch (RuntimeException | Error e) {
      t.close();
      throw e;
    }
    return t;
  }

  private static Path webXml(Path home) {
    for (Path p :
        List.of(
            home.resolve("conf/web.xml"),
            home.resolve("etc/web.xml"),
            Path.of("/etc/tomcat10/web.xml"))) {
      if (Files.isReadable(p)) {
        return p;
      }
    }
    throw new IllegalStateException("no conf/web.xml (nor etc/web.xml) under " + home);
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** Everything Tomcat wrote so far. */
  String log() {
    try {
      return Files.readString(base.resolve("logs/console.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops Tomcat (SIGTERM runs its shutdown hook), killing it if it does not end in 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
