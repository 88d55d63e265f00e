package dev.tether.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks that the classes a document names exist in the source tree: every name in backticks that
 * looks like a Java type — {@code FrontendHandler}, {@code dev.tether.proxy.route.Router}, {@code
 * AccessLogger.Entry} (a nested type), {@code SessionManager#commit} or {@code
 * SessionManager.commit()} (a type and one of its members) — must be a type declared under {@code
 * src/main/java} of some module of the repository, and a package in backticks ({@code
 * dev.tether.proxy.frontend}) must be a directory there. A fully qualified name outside {@code
 * dev.tether} (Netty's, the JDK's) is not checked; a simple name always is, so a document names
 * another project's classes fully qualified or without backticks.
 */
final class ArchitectureDoc {

  /** A backtick span: `...` on one line. */
  private static final Pattern CODE = Pattern.compile("`([^`\\n]+)`");

  /**
   * A type name, optionally qualified by lower-case package segments, optionally followed by nested
   * types, then optionally a member ({@code #name}, {@code .name()}).
   */
  private static final Pattern TYPE =
      Pattern.compile(
          "((?:[a-z][a-z0-9_]*\\.)*)([A-Z][A-Za-z0-9_]*)((?:\\.[A-Z][A-Za-z0-9_]*)*)"
              + "(?:(?:#|\\.)([a-z][A-Za-z0-9_]*)(?:\\(\\))?)?");

  /** One of this project's packages. */
  private static final Pattern PACKAGE = Pattern.compile("dev\\.tether(?:\\.[a-z][a-z0-9_]*)+");

  /** A package name within a line of a fenced block. */
  private static final Pattern PACKAGE_IN_TEXT = Pattern.compile("\\b" + PACKAGE.pattern() + "\\b");

  /** A name the document uses, with what it resolved to. */
  record Name(String text, int line) {}

  /** One source file per fully qualified top-level type, and the files by simple name. */
  private final Map<String, Path> byQualified = new HashMap<>();

  private final Map<String, List<Path>> bySimple = new HashMap<>();
  private final Map<Path, String> sources = new HashMap<>();
  private final Set<String> packages = new java.util.HashSet<>();

  private ArchitectureDoc() {}

  /** The types under {@code src/main/java} of every module directly under {@code root}. */
  static ArchitectureDoc index(Path root) {
    ArchitectureDoc doc = new ArchitectureDoc();
    try (Stream<Path> modules = Files.list(root)) {
      for (Path module : modules.filter(Files::isDirectory).sorted().toList()) {
        Path src = module.resolve("src/main/java");
        if (!Files.isDirectory(src)) {
          continue;
        }
        try (Stream<Path> files = Files.walk(src)) {
          for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
            String rel =
                src.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
            String qualified = rel.substring(0, rel.length() - ".java".length());
            if (qualified.endsWith("package-info")) {
              continue;
            }
            doc.byQualified.put(qualified, file);
            doc.packages.add(qualified.substring(0, qualified.lastIndexOf('.')));
            String simple = qualified.substring(qualified.lastIndexOf('.') + 1);
            doc.bySimple.computeIfAbsent(simple, k -> new ArrayList<>()).add(file);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return doc;
  }

  /** How many top-level types the index holds. */
  int types() {
    return byQualified.size();
  }

  /**
   * Every class-like name in backticks in {@code markdown}, and every {@code dev.tether} package
   * named in a fenced block (a picture of the packages), in order, each once.
   */
  static List<Name> names(String markdown) {
    Set<String> seen = new LinkedHashSet<>();
    List<Name> out = new ArrayList<>();
    String[] lines = markdown.split("\n", -1);
    boolean fenced = false;
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].strip().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        Matcher pkg = PACKAGE_IN_TEXT.matcher(lines[i]);
        while (pkg.find()) {
          if (seen.add(pkg.group())) {
            out.add(new Name(pkg.group(), i + 1));
          }
        }
        continue;
      }
      Matcher code = CODE.matcher(lines[i]);
      while (code.find()) {
        String text = code.group(1).strip();
        if ((looksLikeType(text) || PACKAGE.matcher(text).matches()) && seen.add(text)) {
          out.add(new Name(text, i + 1));
        }
      }
    }
    return out;
  }

  /**
   * A type name rather than a constant, a header or a word: it matches {@link #TYPE} and its type
   * part has a lower-case letter ({@code UP}, {@code GET}, {@code HTTP} are not types).
   */
  static boolean looksLikeType(String text) {
    Matcher m = TYPE.matcher(text);
    return m.matches() && m.group(2).chars().skip(1).anyMatch(Character::isLowerCase);
  }

  /** The names among {@code names} that do not resolve, each with the reason. */
  List<String> missing(List<Name> names) {
    List<String> out = new ArrayList<>();
    for (Name n : names) {
      String problem = resolve(n.text());
      if (problem != null) {
        out.add("line " + n.line() + ": `" + n.text() + "` " + problem);
      }
    }
    return out;
  }

  /** Null when {@code text} names an existing package or type (and member), else why not. */
  String resolve(String text) {
    if (PACKAGE.matcher(text).matches()) {
      return packages.contains(text) ? null : "names no package with classes under src/main/java";
    }
    Matcher m = TYPE.matcher(text);
    if (!m.matches()) {
      return "is not a type name";
    }
    String pkg = m.group(1);
    String top = m.group(2);
    String nested = m.group(3);
    String member = m.group(4);
    List<Path> files;
    if (!pkg.isEmpty()) {
      String qualified = pkg + top;
      if (!qualified.startsWith("dev.tether.")) {
        return null; // another project's class: not ours to check
      }
      Path file = byQualified.get(qualified);
      if (file == null) {
        return "names no type under src/main/java (no " + qualified.replace('.', '/') + ".java)";
      }
      files = List.of(file);
    } else {
      files = bySimple.get(top);
      if (files == null) {
        return "names no type under src/main/java of any module";
      }
    }
    List<String> inner = nested.isEmpty() ? List.of() : List.of(nested.substring(1).split("\\."));
    String lastProblem = null;
    for (Path file : files) {
      String source = source(file);
      String problem = null;
      for (String type : inner) {
        if (!Pattern.compile("\\b(class|interface|record|enum)\\s+" + type + "\\b")
            .matcher(source)
            .find()) {
          problem = "has no nested type " + type + " in " + file.getFileName();
          break;
        }
      }
      if (problem == null
          && member != null
          && !Pattern.compile("\\b" + member + "\\s*[(<]|\\b" + member + "\\s*[=;,)]")
              .matcher(source)
              .find()) {
        problem = "has no member " + member + " in " + file.getFileName();
      }
      if (problem == null) {
        return null;
      }
      lastProblem = problem;
    }
    return lastProblem;
  }

  private String source(Path file) {
    return sources.computeIfAbsent(
        file,
        f -> {
          try {
            return Files.readString(f);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /**
   * The repository's root: the first directory upwards from {@code start} with {@code
   * docs/ARCHITECTURE.md}.
   */
  static Path root(Path start) {
    for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("docs/ARCHITECTURE.md"))
          && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "no docs/ARCHITECTURE.md in " + start.toAbsolutePath() + " or above");
  }
}
