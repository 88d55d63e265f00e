package dev.tether.demo.chat;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The shared directory's chat: one file per message, {@code <message id>.json}, written to a
 * temporary name and renamed into place (atomic on a POSIX file system, so a reader never sees half
 * a message); the publisher deletes files beyond the last {@link ChatBus#HISTORY}. A shared file
 * system has no notification that works across machines (inotify does not see NFS writes of other
 * hosts), so every instance lists the directory every 500 ms and delivers files it has not seen.
 */
public final class FileChatBus implements ChatBus {

  private static final String SUFFIX = ".json";

  private final Path dir;
  private final Poller poller;

  /** A bus over directory {@code dir}, created if missing. */
  public FileChatBus(Path dir, String instance) {
    this.dir = requireNonNull(dir, "dir");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("chat: cannot create directory " + dir, e);
    }
    this.poller = new Poller("tether-demo-chat-poll-" + instance, this::history);
  }

  @Override
  public void publish(ChatMessage m) {
    try {
      Path tmp = Files.createTempFile(dir, ".msg-", ".tmp");
      Files.writeString(tmp, m.encode(), StandardCharsets.UTF_8);
      Files.move(tmp, dir.resolve(m.id() + SUFFIX), StandardCopyOption.ATOMIC_MOVE);
      List<Path> files = files();
      for (Path old : files.subList(0, Math.max(0, files.size() - HISTORY))) {
        Files.deleteIfExists(old);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("chat: cannot write a message into " + dir, e);
    }
  }

  @Override
  public List<ChatMessage> history() {
    List<ChatMessage> all = new ArrayList<>();
    try {
      for (Path p : files()) {
        try {
          all.add(ChatMessage.decode(Files.readString(p, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException trimmedMeanwhile) {
          // another instance deleted it as too old between listing and reading
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("chat: cannot read " + dir, e);
    }
    return ChatBus.last(all);
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
    }
  }

  /** Logs live in {@code sent/} as {@code <connection>.log}, out of the message listing's way. */
  private Path sentFile(String connection) {
    return dir.resolve("sent").resolve(connection + ".log");
  }

  @Override
  public void putSent(String connection, String log) {
    try {
      Path sent = Files.createDirectories(dir.resolve("sent"));
      Path tmp = Files.createTempFile(sent, ".log-", ".tmp");
      Files.writeString(tmp, log, StandardCharsets.UTF_8);
      Files.move(
          tmp,
          sentFile(connection),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("chat: cannot write a sent log into " + dir, e);
    }
  }

  @Override
  public String sent(String connection) {
    Path f = sentFile(connection);
    try {
      if (Files.getLastModifiedTime(f)
          .toInstant()
          .isBefore(java.time.Instant.now().minus(SENT_KEPT))) {
        Files.deleteIfExists(f);
        return null;
      }
      return Files.readString(f, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("chat: cannot read a sent log in " + dir, e);
    }
  }

  @Override
  public void forgetSent(String connection) {
    try {
      Files.deleteIfExists(sentFile(connection));
    } catch (IOException e) {
      throw new UncheckedIOException("chat: cannot delete a sent log in " + dir, e);
    }
  }

  @Override
  public void subscribe(Consumer<ChatMessage> s) {
    poller.subscribe(requireNonNull(s, "subscriber"));
  }

  @Override
  public void close() {
    poller.close();
  }
}
