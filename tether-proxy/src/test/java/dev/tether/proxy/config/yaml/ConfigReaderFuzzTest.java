package dev.tether.proxy.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tether.balance.Balancers;
import dev.tether.proxy.config.ConfigException;
import dev.tether.proxy.config.ConfigProblem;
import dev.tether.proxy.config.TetherConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Fuzzes the configuration reader with Jazzer: the input, as UTF-8 text, is read as a configuration
 * file. The reader either returns a configuration or throws a {@link ConfigException}, never
 * anything else; every problem (and warning) names the file, says where (a key path, or for a
 * problem of the whole document a line or none) and has a non-empty message of printable text: what
 * the file said is echoed with control and format characters escaped, so a message cannot break a
 * terminal or a log line.
 *
 * <p>Relative file names in the input resolve against an empty directory; secrets come from a fixed
 * environment ({@code TETHER_ADMIN_TOKEN}). Seeds in {@code ConfigReaderFuzzTestInputs/configs/}
 * are the configurations of the README and of the reader's tests, valid and invalid. In a normal
 * build this runs on them only; {@code ./mvnw -Pfuzz} fuzzes it.
 */
class ConfigReaderFuzzTest {

  private static final String SOURCE = "fuzz.yaml";
  private static final Function<String, String> ENV =
      Map.of("TETHER_ADMIN_TOKEN", "0123456789abcdef0123456789abcdef")::get;
  private static final Path BASE_DIR;

  static {
    try {
      BASE_DIR = Files.createTempDirectory("config-fuzz");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Problems about the document as a whole, which have no key path. */
  private static final List<String> DOCUMENT_PROBLEMS =
      List.of("YAML syntax error", "the configuration is empty", "the file must be a mapping");

  @FuzzTest
  void configs(byte[] input) {
    String yaml = new String(input, StandardCharsets.UTF_8);
    List<ConfigProblem> problems;
    try {
      TetherConfig config = ConfigLoader.parse(yaml, SOURCE, ENV, BASE_DIR, Balancers.all());
      assertThat(config).isNotNull();
      problems = config.warnings();
    } catch (ConfigException e) {
      problems = e.problems();
      assertThat(problems).as("problems of a refused configuration").isNotEmpty();
    }
    for (ConfigProblem p : problems) {
      assertThat(p.source()).isEqualTo(SOURCE);
      assertThat(p.message()).as("message of %s", p).isNotBlank();
      assertThat(p.line()).as("line of %s", p).isNotNegative();
      if (p.path().isEmpty()) {
        assertThat(DOCUMENT_PROBLEMS)
            .as("a problem without a key path: %s", p)
            .anyMatch(p.message()::startsWith);
      }
      assertPrintable(p.message(), p);
      assertPrintable(p.path(), p);
    }
  }

  private static void assertPrintable(String text, ConfigProblem p) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok =
          !Character.isISOControl(c)
              && Character.getType(c) != Character.FORMAT
              && Character.getType(c) != Character.LINE_SEPARATOR
              && Character.getType(c) != Character.PARAGRAPH_SEPARATOR
              && !(Character.isHighSurrogate(c)
                  && (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))))
              && !(Character.isLowSurrogate(c)
                  && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1))));
      assertThat(ok).as("character U+%04X at %d of %s", (int) c, i, p).isTrue();
    }
  }
}
