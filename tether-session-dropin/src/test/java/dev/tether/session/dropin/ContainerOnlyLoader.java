package dev.tether.session.dropin;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The test JVM's class loader as an embedded Jetty's webapps should see it: the container (Jetty,
 * the Servlet API) without this project's classes and service files, which the test class path
 * holds but a real container does not. So the webapp gets Tether only from its WEB-INF/lib.
 */
final class ContainerOnlyLoader extends ClassLoader {

  ContainerOnlyLoader(ClassLoader parent) {
    super("container-only", parent);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (name.startsWith("dev.tether.")) {
      throw new ClassNotFoundException(name + " is hidden from the webapp");
    }
    return super.loadClass(name, resolve);
  }

  @Override
  public URL getResource(String name) {
    return hidden(name) ? null : super.getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    return hidden(name) ? Collections.emptyEnumeration() : super.getResources(name);
  }

  private static boolean hidden(String name) {
    return name.startsWith("dev/tether/")
        || name.startsWith("META-INF/services/dev.tether.")
        || name.equals("META-INF/services/jakarta.servlet.ServletContainerInitializer")
        || name.equals(DropinConfigLoader.CLASSPATH_FILE);
  }
}
