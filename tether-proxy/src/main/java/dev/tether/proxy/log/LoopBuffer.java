package dev.tether.proxy.log;

import dev.tether.proxy.log.AccessLogger.Entry;
import dev.tether.proxy.log.LogWriter.Chunk;

/**
 * One event loop's access-log buffer: each line is encoded into a scratch array and copied into the
 * loop's current {@link Chunk}; a chunk that cannot take the next line goes to the writer (flush by
 * size), and {@link #flush} hands over whatever it holds (flush by time, scheduled on the loop
 * every {@code flush}). Confined to its loop: plain fields, no locks.
 */
final class LoopBuffer {

  private final LogWriter writer;
  private final boolean json;
  private final Timestamps time;
  private final LineBytes line = new LineBytes(256);
  private Chunk chunk;

  LoopBuffer(LogWriter writer, boolean json, Timestamps time) {
    this.writer = writer;
    this.json = json;
    this.time = time;
    writer.register();
    this.chunk = writer.acquire();
  }

  void append(Entry e) {
    line.clear();
    if (json) {
      LineEncoder.jsonLine(e, time, line);
    } else {
      LineEncoder.plainLine(e, time, line);
    }
    int n = line.length();
    if (chunk != null && chunk.length + n > chunk.bytes.length && chunk.length > 0) {
      writer.submit(chunk);
      chunk = null;
    }
    if (chunk == null && (chunk = writer.acquire()) == null) {
      writer.drop(1); // every buffer waits for the destination: drop rather than wait
      return;
    }
    if (n > chunk.bytes.length) { // a line longer than a whole buffer goes on its own
      Chunk big = new Chunk(n);
      System.arraycopy(line.array(), 0, big.bytes, 0, n);
      big.length = n;
      big.lines = 1;
      writer.submit(big);
      return;
    }
    System.arraycopy(line.array(), 0, chunk.bytes, chunk.length, n);
    chunk.length += n;
    chunk.lines++;
  }

  /** Hands the lines buffered so far to the writer. */
  void flush() {
    if (chunk != null && chunk.length > 0) {
      writer.submit(chunk);
      chunk = writer.acquire();
    }
  }
}
