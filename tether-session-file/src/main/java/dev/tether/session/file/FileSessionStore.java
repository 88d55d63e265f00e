package dev.tether.session.file;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionIds;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * Sessions as files in a directory that every app instance mounts (NFS, SMB, a cluster file
 * system).
 *
 * <p>Design: {@code sessions/<id>} holds one session in {@link SessionFileFormat}. Every write goes
 * to a temporary file in the same directory and is renamed over the target with {@code
 * ATOMIC_MOVE}, so a reader sees the old or the new file, never a torn one; reads therefore take no
 * lock, and {@link #currentVersion} reads only the fixed header. Writers of one session are
 * serialised by {@link StripeLocks} (a JVM lock plus an OS lock on one of 64 never-deleted lock
 * files), and a writer re-reads the file under the lock before merging the delta, which makes
 * {@code save} a compare-and-swap on the version. Delete and rotation write {@code tombstones/<id>}
 * (the end of the tombstone, epoch ms) before removing the session file, so a save that waits for
 * the lock finds no file and answers GONE. The principal index is a directory per principal
 * (SHA-256 of the name) of empty files named by session id, updated under the same lock. The sweep
 * lists {@code sessions/}, reads headers without locks and claims an expired session by deleting it
 * under its lock after re-checking, so across any number of sweepers each session is claimed once.
 * Listing is linear in the number of sessions (Jetty's file store has the same cost, jetty#2038);
 * this store suits modest session counts. Every write is forced to disk before the rename and the
 * directory after it, so an acknowledged save survives a crash of the machine (on a network file
 * system, as far as its server honours {@code fsync}). A full disk or a permission problem fails
 * the write with a message saying so and naming the directory; the previous version stays readable,
 * never a truncated file.
 *
 * <pre>{@code
 * SessionStore store = new FileSessionStore(Path.of("/mnt/sessions/shop"), Clock.systemUTC());
 * }</pre>
 */
@SuppressWarnings("try") // held stripe locks are released by try-with-resources, never referenced
public final class FileSessionStore implements SessionStore {

  private final Path sessions;
  private final Path tombstones;
  private final Path principals;
  private final StripeLocks locks;
  private final Clock clock;

  /** A store in {@code root} (created if missing), judging expiry by {@code clock}. */
  public FileSessionStore(Path root, Clock clock) {
    requireNonNull(root, "root");
    this.clock = requireNonNull(clock, "clock");
    this.sessions = root.resolve("sessions");
    this.tombstones = root.resolve("tombstones");
    this.principals = root.resolve("principals");
    Path lockDir = root.resolve("locks");
    try {
      Files.createDirectories(sessions);
      Files.createDirectories(tombstones);
      Files.createDirectories(principals);
      Files.createDirectories(lockDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the session directory " + root, e);
    }
    this.locks = new StripeLocks(lockDir);
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    SessionIds.requireValid(id);
    return readLive(id, clock.instant());
  }

  @Override
  public OptionalLong currentVersion(String id) {
    SessionIds.requireValid(id);
    try (FileChannel ch = FileChannel.open(sessions.resolve(id), StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(SessionFileFormat.HEADER_BYTES);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // fill the header
      }
      b.flip();
      SessionFileFormat.Header h = SessionFileFormat.header(b);
      return clock.instant().isBefore(h.expiresAt())
          ? OptionalLong.of(h.version())
          : OptionalLong.empty();
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a session file header in " + sessions, e);
    }
  }

  @Override
  public SaveResult create(SessionRecord session) {
    requireNonNull(session, "session");
    try (StripeLocks.Held held = locks.lock(session.id())) {
      Instant now = clock.instant();
      if (Files.exists(sessions.resolve(session.id())) || tombstoned(session.id(), now)) {
        return SaveResult.idTaken();
      }
      writeAtomically(sessions, session.id(), SessionFileFormat.write(session));
      index(session.principal(), session.id());
      return SaveResult.saved(session.version());
    }
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    requireNonNull(delta, "delta");
    try (StripeLocks.Held held = locks.lock(delta.id())) {
      Optional<SessionRecord> current = readLive(delta.id(), clock.instant());
      if (current.isEmpty()) {
        return SaveResult.gone();
      }
      SessionRecord.Merge m = current.get().merge(delta);
      writeAtomically(sessions, delta.id(), SessionFileFormat.write(m.record()));
      if (!Objects.equals(current.get().principal(), m.record().principal())) {
        unindex(current.get().principal(), delta.id());
        index(m.record().principal(), delta.id());
      }
      return SaveResult.saved(m.record().version(), m.conflicts());
    }
  }

  @Override
  public boolean delete(String id) {
    SessionIds.requireValid(id);
    try (StripeLocks.Held held = locks.lock(id)) {
      Instant now = clock.instant();
      Optional<SessionRecord> current = read(id);
      if (current.isEmpty()) {
        return false;
      }
      SessionRecord r = current.get();
      tombstone(id, now.plus(r.idleTimeout()));
      deleteFile(sessions.resolve(id));
      unindex(r.principal(), id);
      return !r.isExpired(now);
    }
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    SessionIds.requireValid(oldId);
    SessionIds.requireValid(newId);
    try (StripeLocks.Held held = locks.lock(oldId, newId)) {
      Instant now = clock.instant();
      Optional<SessionRecord> current = readLive(oldId, now);
      if (current.isEmpty()) {
        return SaveResult.gone();
      }
      if (Files.exists(sessions.resolve(newId)) || tombstoned(newId, now)) {
        return SaveResult.idTaken();
      }
      SessionRecord moved = current.get().withId(newId);
      writeAtomically(sessions, newId, SessionFileFormat.write(moved));
      tombstone(oldId, now.plus(moved.idleTimeout()));
      deleteFile(sessions.resolve(oldId));
      unindex(moved.principal(), oldId);
      index(moved.principal(), newId);
      return SaveResult.saved(moved.version());
    }
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    requireNonNull(principal, "principal");
    Path dir = principals.resolve(principalKey(principal));
    Set<String> ids = new HashSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String id = p.getFileName().toString();
        if (SessionIds.isValid(id) && Files.exists(sessions.resolve(id))) {
          ids.add(id);
        }
      }
    } catch (NoSuchFileException e) {
      return Set.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the principal index in " + principals, e);
    }
    return Set.copyOf(ids);
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("sweep limit " + limit + " must be at least 1");
    }
    Instant now = clock.instant();
    List<SessionRecord> swept = new ArrayList<>();
    for (String id : list(sessions)) {
      if (swept.size() >= limit) {
        break;
      }
      if (currentVersion(id).isPresent() || !Files.exists(sessions.resolve(id))) {
        continue;
      }
      try (StripeLocks.Held held = locks.lock(id)) {
        Optional<SessionRecord> r = read(id);
        if (r.isPresent() && r.get().isExpired(now)) {
          deleteFile(sessions.resolve(id));
          unindex(r.get().principal(), id);
          swept.add(r.get());
        }
      }
    }
    for (String id : list(tombstones)) {
      if (!tombstoned(id, now)) {
        try (StripeLocks.Held held = locks.lock(id)) {
          if (!tombstoned(id, now)) {
            deleteFile(tombstones.resolve(id));
          }
        }
      }
    }
    return swept;
  }

  private Optional<SessionRecord> readLive(String id, Instant now) {
    return read(id).filter(r -> !r.isExpired(now));
  }

  private Optional<SessionRecord> read(String id) {
    try {
      return Optional.of(SessionFileFormat.read(id, Files.readAllBytes(sessions.resolve(id))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a session file in " + sessions, e);
    }
  }

  private boolean tombstoned(String id, Instant now) {
    try {
      byte[] b = Files.readAllBytes(tombstones.resolve(id));
      return b.length == 8 && now.toEpochMilli() < ByteBuffer.wrap(b).getLong();
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a tombstone in " + tombstones, e);
    }
  }

  private void tombstone(String id, Instant until) {
    writeAtomically(tombstones, id, ByteBuffer.allocate(8).putLong(until.toEpochMilli()).array());
  }

  private void index(String principal, String id) {
    if (principal == null) {
      return;
    }
    Path dir = principals.resolve(principalKey(principal));
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve(id), new byte[0]);
    } catch (IOException e) {
      throw writeFailure(dir, e);
    }
  }

  private void unindex(String principal, String id) {
    if (principal != null) {
      deleteFile(principals.resolve(principalKey(principal)).resolve(id));
    }
  }

  /**
   * Writes {@code content} as {@code dir/name} so that a reader, a crash or a full disk can never
   * leave a truncated file: into a new temporary file in the same directory, forced to disk,
   * renamed over the target ({@code ATOMIC_MOVE}, one {@code rename(2)}), then the directory forced
   * so the rename itself survives a crash. On any failure the temporary file is removed and the
   * previous version of the target is left as it was.
   */
  private static void writeAtomically(Path dir, String name, byte[] content) {
    Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(
          tmp,
          dir.resolve(name),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw writeFailure(dir, e);
    }
    syncDirectory(dir);
  }

  /** Forces {@code dir}'s entries (the rename just made) to disk, where the platform allows it. */
  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage())
          .contains("Invalid argument")) { // FS without directory fsync
        throw new UncheckedIOException(
            "a session file in "
                + dir
                + " was replaced, but the directory could not be forced to"
                + " disk ("
                + e.getMessage()
                + "); the new version may not survive a crash of the"
                + " file server",
            e);
      }
    }
  }

  /**
   * A write failure with the reason a person can act on: disk full, permission denied, or the
   * system's message. Names the directory, never the file (whose name is the session id).
   */
  static UncheckedIOException writeFailure(Path dir, IOException e) {
    String reason = reason(e);
    String why;
    if (reason.contains("No space left on device") || reason.contains("Disk quota exceeded")) {
      why = "the file system is full (" + reason + ")";
    } else if (e instanceof java.nio.file.AccessDeniedException
        || reason.contains("Permission denied")
        || reason.contains("Operation not permitted")
        || reason.contains("Read-only file system")) {
      why =
          "permission denied ("
              + reason
              + "): the directory or file is not writable by this"
              + " process, immutable, or on a read-only mount";
    } else {
      why = reason;
    }
    return new UncheckedIOException(
        "cannot write a session file in " + dir + ": " + why + "; the previous version is kept", e);
  }

  private static String reason(IOException e) {
    if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    return String.valueOf(e.getMessage());
  }

  private static void deleteFile(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete a file in " + p.getParent(), e);
    }
  }

  private static List<String> list(Path dir) {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (SessionIds.isValid(name)) {
          names.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return names;
  }

  static String principalKey(String principal) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(principal.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}
