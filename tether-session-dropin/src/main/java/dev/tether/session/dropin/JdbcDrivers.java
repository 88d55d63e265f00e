package dev.tether.session.dropin;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JDBC drivers for an application that carries the drop-in in its own {@code WEB-INF/lib}. {@link
 * DriverManager} looks for drivers once per JVM, with the class loader of whoever asks first, and
 * then hands a caller only the drivers its own class loader can see: so with two such applications
 * in one container the second gets "No suitable driver". Loading the drivers through the
 * application's class loader registers its own copies; they are deregistered when the application
 * stops, so the container does not keep the application's class loader alive. Drivers of a
 * container-wide {@code lib/} belong to another class loader and are left alone.
 */
final class JdbcDrivers {

  private static final Logger log = LoggerFactory.getLogger(JdbcDrivers.class);

  private JdbcDrivers() {}

  static void register(ClassLoader application) {
    try {
      for (Driver d : ServiceLoader.load(Driver.class, application)) {
        if (d.getClass().getClassLoader() == application) {
          DriverManager.registerDriver(d);
        }
      }
    } catch (SQLException | ServiceConfigurationError e) {
      log.warn(
          "tether-session: could not register the application's JDBC drivers: {}", e.toString());
    }
  }

  static void deregister(ClassLoader application) {
    for (Driver d : Collections.list(DriverManager.getDrivers())) {
      if (d.getClass().getClassLoader() == application) {
        try {
          DriverManager.deregisterDriver(d);
        } catch (SQLException e) {
          log.warn("tether-session: could not deregister JDBC driver {}: {}", d, e.toString());
        }
      }
    }
  }
}
