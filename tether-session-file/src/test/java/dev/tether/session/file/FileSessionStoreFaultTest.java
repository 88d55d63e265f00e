package dev.tether.session.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tether.session.SessionIdGenerator;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store on a real full file system (a 256 KiB tmpfs mounted for this class) and on
 * directories and files made immutable with {@code chattr +i} (which stops root too, unlike {@code
 * chmod}): every failed write says why and where, and the previous version stays readable, whole.
 * Needs root; skipped otherwise, or failed when {@code TETHER_REQUIRE_SERVICES=true}.
 */
class FileSessionStoreFaultTest {

  private static final Clock CLOCK = Clock.systemUTC();
  private static Path mount;

  @BeforeAll
  static void mountSmallTmpfs() throws Exception {
    mount = Files.createTempDirectory("tether-full-fs");
    String out = run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString());
    if (!out.isEmpty() && !isMounted()) {
      String message = "cannot mount a tmpfs (root and CAP_SYS_ADMIN needed): " + out.strip();
      if ("true".equals(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        fail(message + " (TETHER_REQUIRE_SERVICES=true)");
      }
      Assumptions.assumeTrue(false, message);
    }
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mount != null) {
      if (isMounted()) {
        run("umount", mount.toString());
      }
      if (isMounted()) { // the stores' lock files stay open until the JVM exits: detach it now
        run("umount", "-l", mount.toString());
      }
      Files.deleteIfExists(mount);
    }
  }

  @Test
  void aFullDiskFailsTheSaveClearlyAndKeepsThePreviousVersion() throws Exception {
    Path root = mount.resolve("store");
    FileSessionStore store = new FileSessionStore(root, CLOCK);
    String id = new SessionIdGenerator().next();
    SessionRecord first = session(id, "v1");
    assertThat(store.create(first).isSaved()).isTrue();
    Path filler = mount.resolve("filler");
    fill(filler);

    SessionDelta big = SessionDelta.builder(id, 1).set("cart", bytes("v2".repeat(10_000))).build();
    assertThatThrownBy(() -> store.save(big))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot write a session file in " + root.resolve("sessions"))
        .hasMessageContaining("the file system is full (No space left on device)")
        .hasMessageEndingWith("the previous version is kept")
        .hasMessageNotContaining(id);
    assertThat(store.load(id))
        .hasValueSatisfying(
            r -> {
              assertThat(r.version()).isEqualTo(1);
              assertThat(new String(r.attributeBytes("cart"), StandardCharsets.UTF_8))
                  .isEqualTo("v1");
            });
    assertThat(store.currentVersion(id)).hasValue(1);
    assertThat(leftovers(root.resolve("sessions"))).as("temporary files left behind").isEmpty();
    assertThat(store.isOutage(assertThrows(() -> store.save(big)))).isTrue();

    Files.delete(filler);
    SaveResult r = store.save(big);
    assertThat(r.isSaved()).isTrue();
    assertThat(store.load(id)).hasValueSatisfying(s -> assertThat(s.version()).isEqualTo(2));
  }

  @Test
  void anImmutableDirectoryOrFileFailsTheSaveClearlyAndKeepsThePreviousVersion(@TempDir Path dir)
      throws Exception {
    FileSessionStore store = new FileSessionStore(dir, CLOCK);
    String id = new SessionIdGenerator().next();
    assertThat(store.create(session(id, "v1")).isSaved()).isTrue();
    Path sessions = dir.resolve("sessions");
    SessionDelta change = SessionDelta.builder(id, 1).set("cart", bytes("v2")).build();

    chattr("+i", sessions);
    try {
      assertThatThrownBy(() -> store.save(change))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("cannot write a session file in " + sessions)
          .hasMessageContaining("permission denied (")
          .hasMessageEndingWith("the previous version is kept")
          .hasMessageNotContaining(id);
      assertThat(store.load(id)).hasValueSatisfying(r -> assertThat(r.version()).isEqualTo(1));
    } finally {
      chattr("-i", sessions);
    }

    Path file = sessions.resolve(id);
    chattr("+i", file);
    try {
      assertThatThrownBy(() -> store.save(change))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("permission denied (Operation not permitted)");
      assertThat(store.load(id))
          .hasValueSatisfying(
              r ->
                  assertThat(new String(r.attributeBytes("cart"), StandardCharsets.UTF_8))
                      .isEqualTo("v1"));
      assertThat(leftovers(sessions)).isEmpty();
    } finally {
      chattr("-i", file);
    }
    assertThat(store.save(change).isSaved()).isTrue();
    assertThat(store.load(id))
        .hasValueSatisfying(
            r ->
                assertThat(new String(r.attributeBytes("cart"), StandardCharsets.UTF_8))
                    .isEqualTo("v2"));
  }

  private static RuntimeException assertThrows(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }

  private static SessionRecord session(String id, String cart) {
    return SessionRecord.create(
        id,
        CLOCK.instant(),
        Duration.ofHours(1),
        Duration.ofHours(8),
        null,
        Map.of("cart", bytes(cart)));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Writes {@code file} until the file system is full. */
  private static void fill(Path file) throws IOException {
    byte[] block = new byte[4096];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < 1_000; i++) {
        out.write(block);
        out.flush();
      }
      throw new AssertionError("a 256 KiB tmpfs took 4 MB");
    } catch (IOException e) {
      assertThat(e.getMessage()).contains("No space left on device");
    }
  }

  private static List<Path> leftovers(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
    }
  }

  private static void chattr(String flag, Path p) throws Exception {
    String out = run("chattr", flag, p.toString());
    if (!out.isBlank()) {
      throw new IllegalStateException("chattr " + flag + " " + p + ": " + out);
    }
  }

  private static boolean isMounted() throws Exception {
    return run("findmnt", "-n", mount.toString()).contains("tmpfs");
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish in 30 s");
    }
    return out;
  }
}
