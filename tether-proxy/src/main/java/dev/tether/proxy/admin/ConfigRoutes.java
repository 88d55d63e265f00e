package dev.tether.proxy.admin;

import dev.tether.proxy.runtime.RuntimeChanges;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code GET /api/config}: the effective configuration (the file as last loaded plus the runtime
 * changes, each marked with a {@code # runtime:} comment) as {@code text/yaml}, secrets redacted;
 * see {@link RuntimeChanges#yaml()}.
 */
final class ConfigRoutes {

  static final String PATH = "/api/config";

  /** A status, a content type and a body. */
  record Answer(int status, String contentType, byte[] body) {}

  private ConfigRoutes() {}

  static boolean matches(String path) {
    return path.equals(PATH) || path.equals(PATH + "/");
  }

  /** The YAML, or a JSON error (501) when the configuration cannot be shown. */
  static Answer answer(
      AdminServer.Control control, com.fasterxml.jackson.databind.ObjectMapper json)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    RuntimeChanges changes = control.runtimeChanges();
    try {
      if (changes == null) {
        throw new IllegalStateException("this balancer keeps no configuration to show");
      }
      return new Answer(
          200, "text/yaml; charset=utf-8", changes.yaml().getBytes(StandardCharsets.UTF_8));
    } catch (IllegalStateException e) {
      return new Answer(
          501, "application/json", json.writeValueAsBytes(Map.of("error", e.getMessage())));
    }
  }
}
