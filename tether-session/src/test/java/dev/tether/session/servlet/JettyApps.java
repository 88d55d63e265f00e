package dev.tether.session.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Jetty 12 servers on loopback port 0, each one filter in front of one servlet. */
final class JettyApps implements AutoCloseable {

  private final List<Server> servers = new ArrayList<>();

  /** Starts {@code servlet} behind {@code filter} (both async-supported); returns the base URI. */
  URI start(Filter filter, HttpServlet servlet) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    FilterHolder f = new FilterHolder(filter);
    f.setAsyncSupported(true);
    ctx.addFilter(f, "/*", EnumSet.of(DispatcherType.REQUEST));
    ServletHolder s = new ServletHolder(servlet);
    s.setAsyncSupported(true);
    ctx.addServlet(s, "/*");
    server.setHandler(ctx);
    server.start();
    servers.add(server);
    return URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  @Override
  public void close() throws Exception {
    for (Server s : servers) {
      s.stop();
    }
  }

  /** {@code TSESSION=<id>} from the response's last session Set-Cookie. */
  static String cookieOf(HttpResponse<?> r) {
    String set =
        r.headers().allValues("Set-Cookie").stream()
            .filter(v -> v.startsWith("TSESSION="))
            .reduce((x, y) -> y)
            .orElseThrow();
    return set.substring(0, set.indexOf(';'));
  }
}
