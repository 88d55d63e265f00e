package dev.tether.bench.load.scenario;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a scenario file. The first problem stops the read with {@code FILE:LINE: key: what is
 * wrong; allowed: ...}.
 *
 * <pre>{@code
 * name: my-app
 * steps:
 *   - name: login
 *     method: POST                        # default GET
 *     path: /login
 *     headers: { X-Client: bench }
 *     body: '{"user": "${user}"}'         # JSON by default
 *     expect: { status: 200, contains: "${user}", json: { /user: "${user}" } }
 *     extract: { token: /token }          # JSON pointer; use as ${token} later
 *   - { name: profile, path: "/me?t=${token}", expect: { json: { /name: "${user}" } } }
 * }</pre>
 */
public final class ScenarioFileReader {

  private static final Set<String> TOP = Set.of("name", "steps");
  private static final Set<String> STEP =
      Set.of("name", "method", "path", "headers", "body", "expect", "extract");
  private static final Set<String> EXPECT = Set.of("status", "contains", "json");
  private static final Set<String> METHODS =
      Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

  private final String source;

  private ScenarioFileReader(String source) {
    this.source = source;
  }

  /** Reads {@code file}. */
  public static FileScenario read(Path file, String runId) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          file + ": cannot read the scenario file: " + e.getMessage(), e);
    }
    return parse(text, file.toString(), runId);
  }

  /** Reads {@code yaml}; {@code source} names it in messages. */
  public static FileScenario parse(String yaml, String source, String runId) {
    return new ScenarioFileReader(source).scenario(yaml, runId);
  }

  private FileScenario scenario(String yaml, String runId) {
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setMaxAliasesForCollections(20);
      root = new Yaml(options).compose(new StringReader(yaml));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
      throw new IllegalArgumentException(
          source + ":" + line + ": YAML syntax error: " + e.getProblem(), e);
    }
    if (root == null) {
      throw new IllegalArgumentException(source + ": the scenario is empty; it needs steps:");
    }
    Map<String, NodeTuple> top = mapping(root, "", TOP);
    String name = top.containsKey("name") ? scalar(top.get("name").getValueNode(), "name") : source;
    if (!top.containsKey("steps")) {
      throw problem(root, "steps", "missing; a list of requests, e.g. steps: [ { path: / } ]");
    }
    Node stepsNode = top.get("steps").getValueNode();
    if (!(stepsNode instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
      throw problem(stepsNode, "steps", "must be a non-empty list of steps");
    }
    List<ScenarioStep> steps = new ArrayList<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      steps.add(step(seq.getValue().get(i), "steps[" + i + "]", i));
    }
    return new FileScenario(name, steps, runId);
  }

  private ScenarioStep step(Node node, String path, int index) {
    Map<String, NodeTuple> m = mapping(node, path, STEP);
    String name =
        m.containsKey("name")
            ? scalar(m.get("name").getValueNode(), path + ".name")
            : "step" + (index + 1);
    String method =
        m.containsKey("method") ? scalar(m.get("method").getValueNode(), path + ".method") : "GET";
    if (!METHODS.contains(method)) {
      throw problem(
          m.get("method").getValueNode(),
          path + ".method",
          "'" + method + "' is not a method; allowed: " + String.join(", ", METHODS));
    }
    if (!m.containsKey("path")) {
      throw problem(node, path + ".path", "missing; the request target, e.g. /api/cart");
    }
    String target = scalar(m.get("path").getValueNode(), path + ".path");
    if (!target.startsWith("/")) {
      throw problem(
          m.get("path").getValueNode(), path + ".path", "'" + target + "' must start with /");
    }
    Map<String, String> headers =
        m.containsKey("headers")
            ? strings(m.get("headers").getValueNode(), path + ".headers")
            : Map.of();
    String body =
        m.containsKey("body") ? scalar(m.get("body").getValueNode(), path + ".body") : null;
    List<Integer> status = List.of();
    String contains = null;
    Map<String, String> json = Map.of();
    if (m.containsKey("expect")) {
      Node e = m.get("expect").getValueNode();
      Map<String, NodeTuple> x = mapping(e, path + ".expect", EXPECT);
      if (x.containsKey("status")) {
        status = statuses(x.get("status").getValueNode(), path + ".expect.status");
      }
      if (x.containsKey("contains")) {
        contains = scalar(x.get("contains").getValueNode(), path + ".expect.contains");
      }
      if (x.containsKey("json")) {
        json = pointers(x.get("json").getValueNode(), path + ".expect.json", false);
      }
    }
    Map<String, String> extract =
        m.containsKey("extract")
            ? pointers(m.get("extract").getValueNode(), path + ".extract", true)
            : Map.of();
    return new ScenarioStep(name, method, target, headers, body, status, contains, json, extract);
  }

  private Map<String, NodeTuple> mapping(Node node, String path, Set<String> allowed) {
    if (!(node instanceof MappingNode mapping)) {
      throw problem(node, path.isEmpty() ? "(top)" : path, "must be a mapping of keys to values");
    }
    Map<String, NodeTuple> out = new LinkedHashMap<>();
    for (NodeTuple t : mapping.getValue()) {
      String key = scalar(t.getKeyNode(), path);
      String where = path.isEmpty() ? key : path + "." + key;
      if (allowed != null && !allowed.contains(key)) {
        throw problem(
            t.getKeyNode(),
            where,
            "unknown key; allowed here: " + String.join(", ", allowed.stream().sorted().toList()));
      }
      if (out.put(key, t) != null) {
        throw problem(t.getKeyNode(), where, "duplicate key");
      }
    }
    return out;
  }

  private Map<String, String> strings(Node node, String path) {
    Map<String, String> out = new LinkedHashMap<>();
    mapping(node, path, null)
        .forEach((k, t) -> out.put(k, scalar(t.getValueNode(), path + "." + k)));
    return out;
  }

  private Map<String, String> pointers(Node node, String path, boolean keysAreNames) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, NodeTuple> e : mapping(node, path, null).entrySet()) {
      String value = scalar(e.getValue().getValueNode(), path + "." + e.getKey());
      String pointer = keysAreNames ? value : e.getKey();
      if (!pointer.startsWith("/")) {
        throw problem(
            keysAreNames ? e.getValue().getValueNode() : e.getValue().getKeyNode(),
            path + "." + e.getKey(),
            "'"
                + pointer
                + "' is not a JSON pointer; allowed: a path starting with /, e.g. /cart/items/0");
      }
      out.put(e.getKey(), value);
    }
    return out;
  }

  private List<Integer> statuses(Node node, String path) {
    List<Node> nodes = node instanceof SequenceNode s ? s.getValue() : List.of(node);
    List<Integer> out = new ArrayList<>();
    for (Node n : nodes) {
      String text = scalar(n, path);
      try {
        int code = Integer.parseInt(text);
        if (code < 100 || code > 599) {
          throw new NumberFormatException();
        }
        out.add(code);
      } catch (NumberFormatException e) {
        throw problem(
            n, path, "'" + text + "' is not a status; allowed: 100..599 or a list of them");
      }
    }
    return out;
  }

  private String scalar(Node node, String path) {
    if (!(node instanceof ScalarNode s)) {
      throw problem(
          node,
          path,
          "must be a single value, not a " + (node instanceof MappingNode ? "mapping" : "list"));
    }
    return s.getValue();
  }

  private IllegalArgumentException problem(Node node, String key, String message) {
    int line = node == null ? 0 : node.getStartMark().getLine() + 1;
    return new IllegalArgumentException(source + ":" + line + ": " + key + ": " + message);
  }
}
