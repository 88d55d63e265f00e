package dev.tether.proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.util.ArrayDeque;

/**
 * The request body sent so far, kept (as retained duplicates, not copies) up to a limit so an
 * idempotent request can be sent to another server after the first one failed. Past the limit it
 * lets go of everything and the request is no longer replayable. Confined to one event loop.
 */
final class ReplayBuffer {

  private final int limit;
  private final ArrayDeque<ByteBuf> parts = new ArrayDeque<>(2);
  private long bytes;
  private boolean overflowed;

  ReplayBuffer(int limit) {
    this.limit = limit;
  }

  /** Keeps {@code content} before it is written (the write releases it). */
  void add(ByteBuf content) {
    int n = content.readableBytes();
    if (overflowed || n == 0) {
      return;
    }
    if (bytes + n > limit) {
      overflowed = true;
      release();
      return;
    }
    parts.add(content.retainedDuplicate());
    bytes += n;
  }

  /** Whether the buffer holds exactly the {@code sent} body bytes. */
  boolean holds(long sent) {
    return !overflowed && bytes == sent;
  }

  /** Writes the kept body to {@code backend}; the buffer keeps it for a further attempt. */
  void writeTo(Channel backend) {
    for (ByteBuf b : parts) {
      backend.write(new DefaultHttpContent(b.retainedDuplicate()), backend.voidPromise());
    }
  }

  /** Lets go of the kept body; safe to call more than once. */
  void release() {
    ByteBuf b;
    while ((b = parts.poll()) != null) {
      b.release();
    }
  }
}
