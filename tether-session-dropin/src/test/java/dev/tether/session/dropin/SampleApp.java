package dev.tether.session.dropin;

import dev.tether.session.dropin.sample.SampleFilter;
import dev.tether.session.dropin.sample.SampleListener;
import dev.tether.session.dropin.sample.SampleServlet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds the sample application as an exploded WAR: the classes of {@code
 * dev.tether.session.dropin.sample} (plain Servlet API, no Tether code), a {@code web.xml}
 * declaring the servlet, the application's own filter and {@link SampleListener}, and {@code
 * session.jsp} using JSP's implicit {@code session}. The drop-in tests deploy it as it is.
 */
final class SampleApp {

  static final String WEB_XML =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
        <listener><listener-class>%s</listener-class></listener>
        <filter><filter-name>own</filter-name><filter-class>%s</filter-class><async-supported>true</async-supported></filter>
        <filter-mapping><filter-name>own</filter-name><url-pattern>/*</url-pattern></filter-mapping>
        <servlet><servlet-name>sample</servlet-name><servlet-class>%s</servlet-class><async-supported>true</async-supported></servlet>
        <servlet-mapping><servlet-name>sample</servlet-name>
          <url-pattern>/set</url-pattern><url-pattern>/get</url-pattern><url-pattern>/peek</url-pattern>
          <url-pattern>/rotate</url-pattern><url-pattern>/invalidate</url-pattern>
          <url-pattern>/events</url-pattern><url-pattern>/ping</url-pattern>
          <url-pattern>/boom</url-pattern><url-pattern>/oops</url-pattern><url-pattern>/async</url-pattern>
        </servlet-mapping>
        <error-page><exception-type>java.lang.IllegalStateException</exception-type><location>/oops</location></error-page>
        <session-config><session-timeout>20</session-timeout></session-config>
      </web-app>
      """
          .formatted(
              SampleListener.class.getName(),
              SampleFilter.class.getName(),
              SampleServlet.class.getName());

  static final String JSP =
      "<%@ page contentType=\"text/plain\" session=\"true\" %>jsp <%= session.getAttribute(request.getParameter(\"name\")) %> <%= session.getId() %>";

  private SampleApp() {}

  /** Writes the application into {@code dir} (created), adding {@code libs} to WEB-INF/lib. */
  static Path write(Path dir, List<Path> libs) {
    try {
      Path classes = dir.resolve("WEB-INF/classes");
      Path pkg = Path.of(SampleServlet.class.getPackageName().replace('.', '/'));
      Path compiled =
          Path.of(SampleServlet.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Files.createDirectories(classes.resolve(pkg));
      try (Stream<Path> files = Files.list(compiled.resolve(pkg))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
          Files.copy(f, classes.resolve(pkg).resolve(f.getFileName()));
        }
      }
      Files.writeString(dir.resolve("WEB-INF/web.xml"), WEB_XML);
      Files.writeString(dir.resolve("session.jsp"), JSP);
      if (!libs.isEmpty()) {
        Path lib = Files.createDirectories(dir.resolve("WEB-INF/lib"));
        for (Path jar : libs) {
          Files.copy(jar, lib.resolve(jar.getFileName()));
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The jars {@code ./mvnw package} left in target/dropin/. */
  static List<Path> dropinJars() {
    Path dir = Path.of("target/dropin");
    try (Stream<Path> jars = Files.list(dir)) {
      List<Path> all = jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
      if (all.stream()
          .noneMatch(p -> p.getFileName().toString().startsWith("tether-session-dropin"))) {
        throw new IllegalStateException(
            dir.toAbsolutePath() + " lacks the drop-in jar; run ./mvnw package");
      }
      return all;
    } catch (IOException e) {
      throw new UncheckedIOException(dir.toAbsolutePath() + " is missing; run ./mvnw package", e);
    }
  }
}
