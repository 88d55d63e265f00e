package dev.tether.proxy.runtime;

import dev.tether.proxy.config.ServerConfig;
import dev.tether.proxy.config.TetherConfig;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.comments.CommentLine;
import org.yaml.snakeyaml.comments.CommentType;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Renders the effective configuration as YAML: the file as last loaded, in its own layout and with
 * its own comments, with the runtime changes applied to the {@code servers} lists and each one
 * marked by a {@code # runtime: ...} comment, so an operator can paste it back into the file.
 *
 * <p>Secrets are never printed: an inline {@code token}, {@code secret} or {@code password} becomes
 * {@code <redacted>} (its {@code *-env} reference is shown as it is), and the password in a URI's
 * user info becomes {@code <redacted>} too. A document with a redacted value does not load until
 * the secret is put back, which is deliberate.
 */
final class ConfigYaml {

  /** Keys whose inline values are secrets. */
  static final Set<String> SECRET_KEYS = Set.of("token", "secret", "password");

  static final String REDACTED = "<redacted>";
  private static final Pattern URI_PASSWORD =
      Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@]*:)[^@/]+@");

  private ConfigYaml() {}

  /**
   * @param file the configuration as loaded from its file, with its {@link TetherConfig#text()}
   * @throws IllegalStateException when the configuration's text is not known
   */
  static String render(
      TetherConfig file,
      RuntimeOverlay overlay,
      Collection<RuntimeChanges.Removal> pending,
      Instant now) {
    if (file.text() == null) {
      throw new IllegalStateException(
          "the configuration was not read from YAML text, so it cannot be shown as YAML");
    }
    LoaderOptions lo = new LoaderOptions();
    lo.setProcessComments(true);
    lo.setMaxAliasesForCollections(50);
    Node root = new Yaml(lo).compose(new StringReader(file.text().yaml()));
    List<CommentLine> header = new ArrayList<>();
    header.add(comment(" Effective configuration of " + file.source() + " at " + time(now) + "."));
    header.add(
        comment(
            " Lines marked 'runtime:' were changed through the admin API; secrets show as "
                + REDACTED
                + "."));
    if (root.getBlockComments() != null) {
      header.addAll(root.getBlockComments());
    }
    redact(root);
    if (root instanceof MappingNode top) {
      Node pools = value(top, "pools");
      if (pools instanceof MappingNode pm) {
        for (NodeTuple t : pm.getValue()) {
          if (t.getKeyNode() instanceof ScalarNode k
              && t.getValueNode() instanceof MappingNode pool) {
            apply(
                pool,
                overlay.changes(k.getValue()),
                pending.stream().filter(r -> r.pool().equals(k.getValue())).toList());
          }
        }
      }
    }
    // The header goes on the first key: SnakeYAML emits a document's comments from its nodes.
    if (root instanceof MappingNode top && !top.getValue().isEmpty()) {
      Node first = top.getValue().getFirst().getKeyNode();
      List<CommentLine> mine = new ArrayList<>(header);
      if (first.getBlockComments() != null) {
        mine.addAll(first.getBlockComments());
      }
      first.setBlockComments(mine);
    }
    DumperOptions d = new DumperOptions();
    d.setProcessComments(true);
    d.setIndent(2);
    d.setWidth(160);
    StringWriter out = new StringWriter();
    new Yaml(d).serialize(root, out);
    return out.toString();
  }

  private static void apply(
      MappingNode pool, RuntimeOverlay.PoolChanges c, List<RuntimeChanges.Removal> pending) {
    NodeTuple serversTuple = tuple(pool, "servers");
    if (serversTuple == null || !(serversTuple.getValueNode() instanceof SequenceNode seq)) {
      return;
    }
    List<CommentLine> onKey = new ArrayList<>();
    List<Node> items = new ArrayList<>();
    for (Node item : seq.getValue()) {
      String name =
          item instanceof MappingNode m && value(m, "name") instanceof ScalarNode n
              ? n.getValue()
              : null;
      RuntimeOverlay.Removed removed = name == null ? null : c.removed().get(name);
      if (removed != null) {
        ServerConfig s = removed.fileServer();
        onKey.add(
            comment(
                " runtime: removed "
                    + time(removed.at())
                    + ": { name: "
                    + s.name()
                    + ", address: "
                    + s.address()
                    + ", weight: "
                    + s.weight()
                    + " }"));
        continue;
      }
      RuntimeOverlay.Weighted w = name == null ? null : c.weights().get(name);
      if (w != null) {
        setScalar((MappingNode) item, "weight", Tag.INT, Integer.toString(w.weight()));
        mark(
            item,
            " runtime: weight "
                + w.weight()
                + " set "
                + time(w.at())
                + " (the file had "
                + w.fileWeight()
                + ")");
      }
      for (RuntimeChanges.Removal r : pending) {
        if (r.server().equals(name)) {
          mark(
              item,
              " runtime: draining since "
                  + time(r.since())
                  + ", to be removed once idle or at "
                  + time(r.deadline()));
        }
      }
      items.add(item);
    }
    for (RuntimeOverlay.Added a : c.added().values()) {
      ServerConfig s = a.server();
      List<NodeTuple> fields = new ArrayList<>();
      fields.add(new NodeTuple(str("name"), str(s.name())));
      fields.add(new NodeTuple(str("address"), str(s.address().toString())));
      fields.add(
          new NodeTuple(
              str("weight"),
              new ScalarNode(
                  Tag.INT,
                  Integer.toString(s.weight()),
                  null,
                  null,
                  DumperOptions.ScalarStyle.PLAIN)));
      MappingNode m = new MappingNode(Tag.MAP, fields, DumperOptions.FlowStyle.FLOW);
      mark(
          m,
          " runtime: added "
              + time(a.at())
              + (a.weightAt() == null ? "" : ", weight set " + time(a.weightAt())));
      for (RuntimeChanges.Removal r : pending) {
        if (r.server().equals(s.name())) {
          mark(
              m,
              " runtime: draining since "
                  + time(r.since())
                  + ", to be removed once idle or at "
                  + time(r.deadline()));
        }
      }
      items.add(m);
    }
    seq.getValue().clear();
    seq.getValue().addAll(items);
    if (!onKey.isEmpty()) {
      Node key = serversTuple.getKeyNode();
      if (key.getBlockComments() != null) {
        onKey.addAll(0, key.getBlockComments());
      }
      key.setBlockComments(onKey);
    }
  }

  /** Replaces inline secrets, recursively. */
  private static void redact(Node node) {
    if (node instanceof MappingNode m) {
      List<NodeTuple> out = new ArrayList<>();
      for (NodeTuple t : m.getValue()) {
        Node v = t.getValueNode();
        if (t.getKeyNode() instanceof ScalarNode k && v instanceof ScalarNode sv) {
          if (SECRET_KEYS.contains(k.getValue())) {
            v = copyComments(sv, str(REDACTED));
          } else if (URI_PASSWORD.matcher(sv.getValue()).find()) {
            v =
                copyComments(
                    sv,
                    str(URI_PASSWORD.matcher(sv.getValue()).replaceFirst("$1" + REDACTED + "@")));
          }
        } else {
          redact(v);
        }
        out.add(new NodeTuple(t.getKeyNode(), v));
      }
      m.setValue(out);
    } else if (node instanceof SequenceNode s) {
      s.getValue().forEach(ConfigYaml::redact);
    }
  }

  private static Node copyComments(Node from, Node to) {
    to.setBlockComments(from.getBlockComments());
    to.setInLineComments(from.getInLineComments());
    return to;
  }

  private static void setScalar(MappingNode m, String key, Tag tag, String value) {
    List<NodeTuple> out = new ArrayList<>();
    boolean set = false;
    for (NodeTuple t : m.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
        out.add(
            new NodeTuple(
                t.getKeyNode(),
                new ScalarNode(tag, value, null, null, DumperOptions.ScalarStyle.PLAIN)));
        set = true;
      } else {
        out.add(t);
      }
    }
    if (!set) {
      out.add(
          new NodeTuple(
              str(key), new ScalarNode(tag, value, null, null, DumperOptions.ScalarStyle.PLAIN)));
    }
    m.setValue(out);
  }

  /**
   * Marks a server item with an end-of-line comment: after a flow item ({@code - {name: s1} #
   * ...}), or after its first value in a block item; SnakeYAML emits block comments before a
   * sequence item in the wrong place, but end-of-line comments where they belong.
   */
  private static void mark(Node item, String text) {
    Node n = item;
    if (item instanceof MappingNode m
        && m.getFlowStyle() != DumperOptions.FlowStyle.FLOW
        && !m.getValue().isEmpty()) {
      n = m.getValue().getFirst().getValueNode();
    }
    List<CommentLine> c =
        new ArrayList<>(n.getInLineComments() == null ? List.of() : n.getInLineComments());
    c.add(new CommentLine(null, null, text, CommentType.IN_LINE));
    n.setInLineComments(c);
  }

  private static NodeTuple tuple(MappingNode m, String key) {
    for (NodeTuple t : m.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
        return t;
      }
    }
    return null;
  }

  private static Node value(MappingNode m, String key) {
    NodeTuple t = tuple(m, key);
    return t == null ? null : t.getValueNode();
  }

  private static ScalarNode str(String v) {
    return new ScalarNode(Tag.STR, v, null, null, DumperOptions.ScalarStyle.PLAIN);
  }

  private static CommentLine comment(String text) {
    return new CommentLine(null, null, text, CommentType.BLOCK);
  }

  private static String time(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
