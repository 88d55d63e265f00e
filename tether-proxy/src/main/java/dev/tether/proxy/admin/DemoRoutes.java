package dev.tether.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.proxy.admin.ServerRoutes.Answer;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The admin API's control of the demo's application instances ({@code tether demo} only):
 *
 * <pre>
 * GET  /api/demo/instances                     the application instances
 * POST /api/demo/instances                     add an instance ({"name": "s4"} optional)
 * POST /api/demo/instances/{name}/kill|start   crash or restart an instance
 * </pre>
 *
 * <p>Without instances to control (any other mode) every such path is 404; a body that is not the
 * JSON object asked for is 400, an unknown instance 404, an instance in the wrong state for the
 * action 409.
 */
final class DemoRoutes {

  private DemoRoutes() {}

  /** {@code /api/demo/instances...}, split at its slashes. */
  static boolean matches(String[] p) {
    return p.length >= 3 && p[0].equals("api") && p[1].equals("demo") && p[2].equals("instances");
  }

  /**
   * The answer to {@code method} on {@code p}; reads at most 4 KiB of {@code body} for an added
   * instance's name.
   *
   * @param instances the demo's instances, or {@code null} outside {@code tether demo}
   */
  static Answer answer(
      String method, String[] p, InputStream body, InstanceControl instances, ObjectMapper json)
      throws IOException {
    if (instances == null) {
      return Answer.error(
          404,
          "no application instances to control: /api/demo/... is served by `tether demo` only");
    }
    try {
      if (p.length == 3) {
        if (method.equals("GET")) {
          return Answer.of(200, Map.of("instances", instances.instances()));
        }
        if (!method.equals("POST")) {
          return PoolRoutes.notAllowed(method, "POST");
        }
        byte[] bytes = body.readNBytes(4096);
        String name = null;
        if (bytes.length > 0) {
          JsonNode node = json.readTree(bytes);
          if (node == null
              || !node.isObject()
              || (node.has("name") && !node.get("name").isTextual())) {
            return Answer.error(
                400, "expected a JSON object like {\"name\": \"s4\"} (name optional)");
          }
          name = node.has("name") ? node.get("name").asText() : null;
        }
        return Answer.of(200, instances.add(name));
      }
      if (p.length == 5) {
        if (!method.equals("POST")) {
          return PoolRoutes.notAllowed(method, "POST");
        }
        return switch (p[4]) {
          case "kill" -> Answer.of(200, instances.kill(p[3]));
          case "start" -> Answer.of(200, instances.start(p[3]));
          default -> Answer.error(404, "unknown action '" + p[4] + "'; use kill or start");
        };
      }
      return Answer.error(
          404, "use GET|POST /api/demo/instances or POST /api/demo/instances/{name}/kill|start");
    } catch (JsonProcessingException e) {
      return Answer.error(400, "the body is not JSON: " + e.getOriginalMessage());
    } catch (IllegalArgumentException e) {
      return Answer.error(404, e.getMessage());
    } catch (IllegalStateException e) {
      return Answer.error(409, e.getMessage());
    }
  }
}
