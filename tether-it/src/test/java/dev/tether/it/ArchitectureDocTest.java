package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/ARCHITECTURE.md stays true: every class it names in backticks exists under {@code
 * src/main/java} of a module (see {@link ArchitectureDoc} for what counts as a name). The checker
 * itself is tested on a small tree of its own and on the real tree with names that do not exist.
 */
class ArchitectureDocTest {

  private static final Path ROOT = ArchitectureDoc.root(Path.of(""));

  @Test
  void everyClassTheDocumentNamesExists() throws Exception {
    String doc = Files.readString(ROOT.resolve("docs/ARCHITECTURE.md"));
    List<ArchitectureDoc.Name> names = ArchitectureDoc.names(doc);
    // the document walks a request and a session save class by class: far more than a handful
    assertThat(names).hasSizeGreaterThan(40);
    assertThat(ArchitectureDoc.index(ROOT).missing(names))
        .as(
            "classes docs/ARCHITECTURE.md names that are not in the source tree (renamed or "
                + "moved? update the document)")
        .isEmpty();
  }

  @Test
  void theDocumentPointsOnlyInsideTheRepository() throws Exception {
    String doc = Files.readString(ROOT.resolve("docs/ARCHITECTURE.md"));
    assertThat(doc).doesNotContain("../shared", "/work/");
    assertThat(Files.readString(ROOT.resolve("README.md"))).contains("(docs/ARCHITECTURE.md)");
  }

  @Test
  void aNameThatIsNotInTheTreeIsReportedWithItsLine() {
    String doc =
        """
        # Sample
        The request enters `FrontendHandler` (`dev.tether.proxy.frontend`), is routed by
        `dev.tether.proxy.route.Router`, and logged by `AccessLogger.Entry`.
        Then `NoSuchHandlerAnywhere` and `dev.tether.proxy.route.NoSuchRouter` and
        `AccessLogger.NoSuchEntry` and `SessionManager#noSuchMethod` and `dev.tether.proxy.nosuch` are wrong,
        while `SessionManager#commit` and `SessionManager.commit()` are right.
        Not types: `GET`, `UP`, `tether-proxy`, `redis://host`, `pools.NAME.affinity`, `io.netty.channel.Channel`.
        ```
        dev.tether.proxy.route     Router: in a picture only packages count
        └── dev.tether.proxy.gone  moved away
        ```
        """;
    List<ArchitectureDoc.Name> names = ArchitectureDoc.names(doc);
    assertThat(names)
        .extracting(ArchitectureDoc.Name::text)
        .containsExactly(
            "FrontendHandler",
            "dev.tether.proxy.frontend",
            "dev.tether.proxy.route.Router",
            "AccessLogger.Entry",
            "NoSuchHandlerAnywhere",
            "dev.tether.proxy.route.NoSuchRouter",
            "AccessLogger.NoSuchEntry",
            "SessionManager#noSuchMethod",
            "dev.tether.proxy.nosuch",
            "SessionManager#commit",
            "SessionManager.commit()",
            "io.netty.channel.Channel",
            "dev.tether.proxy.route",
            "dev.tether.proxy.gone");
    assertThat(ArchitectureDoc.index(ROOT).missing(names))
        .containsExactly(
            "line 4: `NoSuchHandlerAnywhere` names no type under src/main/java of any module",
            "line 4: `dev.tether.proxy.route.NoSuchRouter` names no type under src/main/java "
                + "(no dev/tether/proxy/route/NoSuchRouter.java)",
            "line 5: `AccessLogger.NoSuchEntry` has no nested type NoSuchEntry in AccessLogger.java",
            "line 5: `SessionManager#noSuchMethod` has no member noSuchMethod in SessionManager.java",
            "line 5: `dev.tether.proxy.nosuch` names no package with classes under src/main/java",
            "line 10: `dev.tether.proxy.gone` names no package with classes under src/main/java");
  }

  @Test
  void aClassRemovedFromTheTreeIsNoLongerFound(@TempDir Path root) throws Exception {
    Path pkg = Files.createDirectories(root.resolve("mod-a/src/main/java/dev/tether/x"));
    Files.writeString(pkg.resolve("Kept.java"), "package dev.tether.x;\nfinal class Kept {}\n");
    Files.writeString(pkg.resolve("Gone.java"), "package dev.tether.x;\nfinal class Gone {}\n");
    // a test source is not the tree the document describes
    Path tests = Files.createDirectories(root.resolve("mod-a/src/test/java/dev/tether/x"));
    Files.writeString(
        tests.resolve("OnlyATest.java"), "package dev.tether.x;\nclass OnlyATest {}\n");
    List<ArchitectureDoc.Name> names =
        ArchitectureDoc.names("`Kept`, `dev.tether.x.Gone`, `OnlyATest`");

    assertThat(ArchitectureDoc.index(root).types()).isEqualTo(2);
    assertThat(ArchitectureDoc.index(root).missing(names))
        .containsExactly("line 1: `OnlyATest` names no type under src/main/java of any module");
    Files.delete(pkg.resolve("Gone.java"));
    assertThat(ArchitectureDoc.index(root).missing(names))
        .containsExactly(
            "line 1: `dev.tether.x.Gone` names no type under src/main/java (no dev/tether/x/Gone.java)",
            "line 1: `OnlyATest` names no type under src/main/java of any module");
  }
}
