package dev.tether.session.dropin;

import dev.tether.session.SessionManager;
import dev.tether.session.SessionPolicy;
import dev.tether.session.SessionSweeper;
import dev.tether.session.cache.NearCacheStore;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Gives a web application {@code HttpSession}s kept in a Tether store, with no change to the
 * application: found by the container through {@code
 * META-INF/services/jakarta.servlet.ServletContainerInitializer} in a jar of the container's {@code
 * lib/} or the application's {@code WEB-INF/lib}, it reads the configuration ({@link
 * DropinConfigLoader}), opens the store, and registers a {@link
 * dev.tether.session.servlet.TetherSessionFilter} on {@code /*} ahead of every filter the
 * application declares, for the dispatcher types {@code REQUEST}, {@code FORWARD}, {@code INCLUDE},
 * {@code ASYNC} and {@code ERROR}, async-supported. A {@link SessionSweeper} expires sessions; the
 * store closes with the application.
 *
 * <p>The idle timeout is {@code idle-timeout} when set, else the application's {@code
 * <session-config><session-timeout>} (the container's default, 30 minutes in Tomcat and Jetty, when
 * the application sets none; zero or less, "never", becomes the absolute timeout).
 *
 * <p>Any failure (no or a bad configuration, an unknown key, a store that cannot be reached) is
 * thrown from {@link #onStartup}, so the container does not start the application: there is no
 * silent fall-back to the container's own sessions.
 */
public final class TetherSessionInitializer implements ServletContainerInitializer {

  /** The filter's name in the application. */
  public static final String FILTER_NAME = "tetherSession";

  /**
   * The context attribute holding the {@link SessionManager}, also a guard against a second copy.
   */
  public static final String MANAGER_ATTRIBUTE = SessionManager.class.getName();

  static final Duration DEFAULT_ABSOLUTE = Duration.ofHours(8);

  @Override
  public void onStartup(Set<Class<?>> classes, ServletContext context) throws ServletException {
    if (context.getAttribute(MANAGER_ATTRIBUTE) != null) {
      return; // the drop-in is both in the container's lib/ and in WEB-INF/lib: one is enough
    }
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(context.getClassLoader());
    try {
      start(context);
    } catch (DropinConfigException e) {
      throw new ServletException(e.getMessage(), e);
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  private static void start(ServletContext context) {
    DropinConfig config = DropinConfigLoader.system(context.getClassLoader()).load();
    SessionPolicy policy = policy(config, context.getSessionTimeout());
    if (config.store().equals("jdbc")
        || "jdbc".equals(config.storeSettings().get("revocation-store"))) {
      JdbcDrivers.register(context.getClassLoader());
    }
    SessionStore store = open(config);
    try {
      SessionStore sessions = config.nearCacheOn() ? new NearCacheStore(store, 10_000) : store;
      SessionManager manager = SessionManager.builder(sessions).policy(policy).build();
      Duration half = policy.idleTimeout().dividedBy(2);
      SessionSweeper sweeper =
          SessionSweeper.start(
              manager, half.compareTo(Duration.ofMinutes(1)) < 0 ? half : Duration.ofMinutes(1));
      FilterRegistration.Dynamic filter =
          context.addFilter(
              FILTER_NAME,
              new DropinFilter(
                  manager,
                  config.cookie(),
                  "store '"
                      + config.store()
                      + "' (near cache "
                      + (config.nearCacheOn() ? "on" : "off")
                      + ")"));
      if (filter == null) {
        sweeper.close();
        throw new DropinConfigException(
            "tether-session: the application already has a filter named '" + FILTER_NAME + "'");
      }
      filter.setAsyncSupported(true);
      filter.addMappingForUrlPatterns(
          EnumSet.of(
              DispatcherType.REQUEST,
              DispatcherType.FORWARD,
              DispatcherType.INCLUDE,
              DispatcherType.ASYNC,
              DispatcherType.ERROR),
          false,
          "/*");
      context.setAttribute(MANAGER_ATTRIBUTE, manager);
      context.addListener(new Closer(sweeper, sessions));
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  static SessionPolicy policy(DropinConfig config, int sessionTimeoutMinutes) {
    Duration absolute = config.absoluteTimeout().orElse(null);
    Duration idle =
        config
            .idleTimeout()
            .orElse(
                sessionTimeoutMinutes > 0
                    ? Duration.ofMinutes(sessionTimeoutMinutes)
                    : absolute != null ? absolute : DEFAULT_ABSOLUTE);
    if (absolute == null) {
      absolute = idle.compareTo(DEFAULT_ABSOLUTE) > 0 ? idle : DEFAULT_ABSOLUTE;
    }
    if (absolute.compareTo(idle) < 0) {
      throw new DropinConfigException(
          "tether-session: "
              + config.source()
              + ": key 'absolute-timeout' ("
              + absolute
              + ") is shorter than the idle timeout ("
              + idle
              + ", from "
              + (config.idleTimeout().isPresent() ? "key 'idle-timeout'" : "<session-timeout>")
              + "); allowed: an absolute-timeout at least as long as the idle timeout");
    }
    Duration touch =
        idle.dividedBy(2).compareTo(Duration.ofMinutes(1)) < 0
            ? idle.dividedBy(2)
            : Duration.ofMinutes(1);
    Duration warning =
        idle.dividedBy(6).compareTo(Duration.ofMinutes(5)) < 0
            ? idle.dividedBy(6)
            : Duration.ofMinutes(5);
    return new SessionPolicy(
        idle, absolute, SessionPolicy.Renewal.OFF, touch, warning, 20, Duration.ofMinutes(1), 500);
  }

  private static SessionStore open(DropinConfig config) {
    try {
      return SessionStoreRegistry.create(config.store(), config.storeSettings(), Clock.systemUTC());
    } catch (IllegalArgumentException e) {
      throw new DropinConfigException(
          "tether-session: "
              + config.source()
              + ": key 'store' is '"
              + config.store()
              + "': "
              + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      throw new DropinConfigException(
          "tether-session: "
              + config.source()
              + ": store '"
              + config.store()
              + "' cannot be opened"
              + " with "
              + shown(config.storeSettings())
              + ": "
              + rootMessage(e)
              + "; allowed: a store that is running and reachable with these settings",
          e);
    }
  }

  /** The settings as {@code store.k=v}, secrets hidden. */
  static String shown(Map<String, String> settings) {
    if (settings.isEmpty()) {
      return "no settings";
    }
    return settings.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(
            e ->
                "store."
                    + e.getKey()
                    + "="
                    + (e.getKey().contains("password")
                            || e.getKey().contains("key") && !e.getKey().equals("key-prefix")
                        ? "***"
                        : e.getValue().replaceAll("://[^@/,]*@", "://***@")))
        .collect(Collectors.joining(", "));
  }

  private static String rootMessage(Throwable e) {
    StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && !b.toString().contains(c.getMessage())) {
        b.append(": ").append(c.getMessage());
      }
    }
    return b.toString();
  }

  /** Stops the sweeper and closes the store with the application. */
  private record Closer(SessionSweeper sweeper, SessionStore store)
      implements ServletContextListener {
    @Override
    public void contextDestroyed(ServletContextEvent sce) {
      try {
        sweeper.close();
      } finally {
        try {
          store.close();
        } finally {
          JdbcDrivers.deregister(sce.getServletContext().getClassLoader());
        }
      }
    }
  }
}
