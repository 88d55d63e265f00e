package dev.tether.proxy.config.yaml;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.BalancerProvider;
import dev.tether.balance.Balancers;
import dev.tether.proxy.config.ConfigException;
import dev.tether.proxy.config.ConfigProblem;
import dev.tether.proxy.config.SourceText;
import dev.tether.proxy.config.TetherConfig;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads and validates the balancer's YAML configuration.
 *
 * <p>The file is parsed with SnakeYAML's node API (not data binding) so that every problem carries
 * its real line and column; the nodes are then mapped to records by hand. Validation does not stop
 * at the first error: a load reports every problem it finds, in file order, in one {@link
 * ConfigException}. Secrets named by {@code *-env} keys are read through an injectable environment.
 *
 * <pre>{@code
 * try {
 *   TetherConfig config = ConfigLoader.load(Path.of("tether.yaml"));
 * } catch (ConfigException e) {
 *   System.err.println(e.getMessage()); // tether.yaml:12:5: pools.web.health.interval: ...
 * }
 * }</pre>
 *
 * <p>Thread-safe: it keeps no state.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  /** Reads and validates {@code file}; secrets come from the process environment. */
  public static TetherConfig load(Path file) throws ConfigException {
    return load(file, System::getenv);
  }

  /**
   * Reads and validates {@code file}; {@code env} resolves environment variable names. Relative
   * paths in the file (e.g. {@code jwks-file}) are resolved against its directory.
   */
  public static TetherConfig load(Path file, Function<String, String> env) throws ConfigException {
    requireNonNull(file, "file");
    // checked before reading, so that /dev/zero or a FIFO fails at once instead of hanging check
    // and reload; a missing file is left to the read, whose exception names the cause
    String problem =
        Files.exists(file)
            ? ConfigFiles.problem(file, ConfigFiles.MAX_CONFIG_FILE, "a YAML configuration file")
            : null;
    if (problem != null) {
      throw new ConfigException(
          List.of(
              new ConfigProblem(
                  file.toString(), 0, 0, "", "cannot read the configuration file: " + problem)));
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(
          List.of(
              new ConfigProblem(
                  file.toString(), 0, 0, "", "cannot read the configuration file: " + e)));
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, file.toString(), env, dir != null ? dir : Path.of(""), Balancers.all());
  }

  /** Validates {@code yaml}; {@code sourceName} names it in problems. Uses the process env. */
  public static TetherConfig parse(String yaml, String sourceName) throws ConfigException {
    return parse(yaml, sourceName, System::getenv);
  }

  /** Validates {@code yaml}; relative paths are resolved against the working directory. */
  public static TetherConfig parse(String yaml, String sourceName, Function<String, String> env)
      throws ConfigException {
    return parse(yaml, sourceName, env, Path.of(""), Balancers.all());
  }

  /** The full form, with the registry of balancing algorithms to validate against. */
  public static TetherConfig parse(
      String yaml,
      String sourceName,
      Function<String, String> env,
      Path baseDir,
      Map<String, BalancerProvider> algorithms)
      throws ConfigException {
    requireNonNull(yaml, "yaml");
    requireNonNull(sourceName, "sourceName");
    requireNonNull(env, "env");
    ProblemCollector problems = new ProblemCollector(sourceName);
    Node root = compose(yaml, problems);
    TetherConfig config = null;
    if (root == null && !problems.hasErrors()) {
      problems.error(
          (Mark) null, "", "the configuration is empty; it needs at least listen: and " + "pools:");
    } else if (root != null) {
      config = new TetherConfigParser(problems, env, baseDir, algorithms).read(root);
      config = config == null ? null : config.withText(new SourceText(yaml));
    }
    if (problems.hasErrors() || config == null) {
      throw new ConfigException(problems.errors());
    }
    return config;
  }

  private static Node compose(String yaml, ProblemCollector problems) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(50);
    options.setNestingDepthLimit(50);
    options.setCodePointLimit(1 << 20);
    try {
      return new Yaml(options).compose(new StringReader(yaml));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      StringBuilder message = new StringBuilder("YAML syntax error: ");
      message.append(e.getProblem() != null ? e.getProblem() : "unreadable input");
      if (e.getContext() != null) {
        message.append(" (").append(e.getContext());
        if (e.getContextMark() != null && e.getContextMark() != mark) {
          message.append(" at line ").append(e.getContextMark().getLine() + 1);
        }
        message.append(')');
      }
      problems.error(mark, "", message.toString());
    } catch (YAMLException e) {
      problems.error((Mark) null, "", "YAML syntax error: " + e.getMessage());
    } catch (RuntimeException e) {
      // SnakeYAML lets a few malformed inputs through as other exceptions (a backslash-u escape
      // with
      // bad hex digits in a quoted scalar: NumberFormatException); still a syntax error
      problems.error(
          (Mark) null,
          "",
          "YAML syntax error: unreadable input ("
              + e.getClass().getSimpleName()
              + (e.getMessage() != null ? ": " + e.getMessage() : "")
              + ")");
    }
    return null;
  }
}
