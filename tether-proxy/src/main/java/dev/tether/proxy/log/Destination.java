package dev.tether.proxy.log;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where the access log's writer thread puts the bytes: standard output (the default) or a file
 * opened for appending. Only the writer thread calls it, so implementations need not be
 * thread-safe.
 */
interface Destination {

  /** Writes {@code len} bytes of {@code b} from {@code off}, all of them or an exception. */
  void write(byte[] b, int off, int len) throws IOException;

  /**
   * Closes and opens the file again by its name (after log rotation renamed it); stdout: nothing.
   */
  void reopen() throws IOException;

  /** Whether {@link #reopen} does anything (a file: yes; standard output: no). */
  default boolean reopens() {
    return true;
  }

  void close() throws IOException;

  /** For messages: {@code stdout} or the file's path. */
  String describe();

  /**
   * Standard output, through {@link System#out}'s lock so lines never interleave with other output.
   */
  static Destination stdout() {
    return new Destination() {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        PrintStream out = System.out;
        out.write(b, off, len);
        out.flush();
        if (out.checkError()) {
          throw new IOException("standard output refused the write");
        }
      }

      @Override
      public void reopen() {
        // nothing to reopen: whoever reads standard output rotates it
      }

      @Override
      public boolean reopens() {
        return false;
      }

      @Override
      public void close() {
        System.out.flush();
      }

      @Override
      public String describe() {
        return "stdout";
      }
    };
  }

  /**
   * The file at {@code path}, created if missing and appended to.
   *
   * @throws IOException when it cannot be opened (the message names the file)
   */
  static Destination file(Path path) throws IOException {
    return new FileDestination(path);
  }

  /** A file appended to through a channel; reopened by name on request. */
  final class FileDestination implements Destination {

    private final Path path;
    private FileChannel channel;

    FileDestination(Path path) throws IOException {
      this.path = requireNonNull(path, "path");
      this.channel = open(path);
    }

    private static FileChannel open(Path path) throws IOException {
      try {
        return FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new IOException("cannot open the access log " + path + ": " + e, e);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(b, off, len);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
    }

    /** Opens the new file first, so a failure keeps writing to the old one. */
    @Override
    public void reopen() throws IOException {
      FileChannel next = open(path);
      FileChannel old = channel;
      channel = next;
      old.close();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }

    @Override
    public String describe() {
      return path.toString();
    }
  }
}
