package dev.tether.proxy.tunnel;

import io.netty.buffer.ByteBuf;

/**
 * Where the frames of one direction of a WebSocket connection begin and end (RFC 6455 §5.2), so
 * that the proxy can add a close frame of its own between two frames and never inside one.
 *
 * <p>Design note: only frame headers are read. A header is 2 to 14 bytes (two fixed bytes, a 16- or
 * 64-bit extended length, a 4-byte mask key when masked); the payload that follows is skipped by
 * arithmetic, so tracking costs a few byte reads per frame however large the frame. Control frames
 * may sit between the fragments of a fragmented message (§5.4), so any frame end is a place where a
 * close frame may go. Confined to the tunnel's event loop.
 */
final class WebSocketFrames {

  private static final int OPCODE_CLOSE = 0x8;

  private final byte[] header = new byte[14];
  private int headerBytes;
  private int headerLength = 2;
  private long payloadLeft;
  private boolean closeSeen;

  /** Whether the bytes seen so far end exactly at the end of a frame (or nothing was seen). */
  boolean atBoundary() {
    return headerBytes == 0 && payloadLeft == 0;
  }

  /** Whether a close frame went this way: the endpoint has started the closing handshake itself. */
  boolean closeSeen() {
    return closeSeen;
  }

  /** Follows every readable byte of {@code buf} (without moving its indexes). */
  void skip(ByteBuf buf) {
    advance(buf, buf.readerIndex(), buf.writerIndex(), false);
  }

  /**
   * Follows the readable bytes of {@code buf} up to the first frame end, which may be where it
   * starts.
   *
   * @return how many readable bytes come before that frame end, or -1 when the buffer ends inside a
   *     frame (all of it followed)
   */
  int untilBoundary(ByteBuf buf) {
    int end = advance(buf, buf.readerIndex(), buf.writerIndex(), true);
    return end < 0 ? -1 : end - buf.readerIndex();
  }

  /** Returns the index of the first frame end at or after {@code i} when asked to stop, else -1. */
  private int advance(ByteBuf buf, int i, int end, boolean stopAtBoundary) {
    while (true) {
      if (stopAtBoundary && atBoundary()) {
        return i;
      }
      if (i >= end) {
        return -1;
      }
      if (payloadLeft > 0) {
        long take = Math.min(payloadLeft, end - i);
        payloadLeft -= take;
        i += (int) take;
        continue;
      }
      header[headerBytes++] = buf.getByte(i++);
      if (headerBytes == 2) {
        int len7 = header[1] & 0x7f;
        headerLength =
            2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
      }
      if (headerBytes >= 2 && headerBytes == headerLength) {
        payloadLeft = payloadLength();
        if ((header[0] & 0x0f) == OPCODE_CLOSE) {
          closeSeen = true;
        }
        headerBytes = 0;
        headerLength = 2;
      }
    }
  }

  private long payloadLength() {
    int len7 = header[1] & 0x7f;
    if (len7 < 126) {
      return len7;
    }
    if (len7 == 126) {
      return (header[2] & 0xffL) << 8 | (header[3] & 0xffL);
    }
    long n = 0;
    for (int k = 2; k < 10; k++) {
      n = n << 8 | (header[k] & 0xffL);
    }
    // The most significant bit must be 0 (§5.2); a peer that sets it is broken: never a boundary.
    return n < 0 ? Long.MAX_VALUE : n;
  }
}
