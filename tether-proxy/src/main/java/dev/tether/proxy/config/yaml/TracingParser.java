package dev.tether.proxy.config.yaml;

import dev.tether.proxy.config.TracingConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Reads the {@code tracing} section into a {@link TracingConfig}. */
final class TracingParser {

  private TracingParser() {}

  static TracingConfig read(YamlSection s) {
    TracingConfig d = TracingConfig.DEFAULTS;
    boolean enabled = s.bool("enabled", d.enabled());
    double sampling = d.sampling();
    Double ratio = s.decimal("sampling");
    if (ratio != null) {
      if (ratio < 0 || ratio > 1) {
        s.error(
            "sampling",
            ratio + " is out of range; use a share of requests in 0..1, e.g. 0.01 " + "for 1%");
      } else {
        sampling = ratio;
      }
    }
    URI endpoint = endpoint(s);
    String service = s.text("service-name", d.serviceName());
    if (service.isBlank()) {
      s.error(
          "service-name",
          "must not be empty; it names this balancer in the tracing backend, "
              + "e.g. service-name: tether");
      service = d.serviceName();
    }
    s.finish();
    return new TracingConfig(enabled, sampling, endpoint, service);
  }

  private static URI endpoint(YamlSection s) {
    String text = s.text("otlp-endpoint", null);
    if (text == null) {
      return null;
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https"))
          && uri.getHost() != null
          && uri.getRawQuery() == null
          && uri.getRawFragment() == null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below, with the allowed form
    }
    s.error(
        "otlp-endpoint",
        "'"
            + text
            + "' is not an OTLP/HTTP endpoint; use an http:// or "
            + "https:// URL with a host and the traces path, e.g. http://127.0.0.1:4318/v1/traces");
    return null;
  }
}
