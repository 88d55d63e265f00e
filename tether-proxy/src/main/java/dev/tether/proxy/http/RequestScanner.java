package dev.tether.proxy.http;

import static dev.tether.proxy.http.FramingException.badRequest;
import static dev.tether.proxy.http.HttpSyntax.CR;
import static dev.tether.proxy.http.HttpSyntax.LF;
import static dev.tether.proxy.http.HttpSyntax.describe;
import static dev.tether.proxy.http.HttpSyntax.isFieldValueByte;
import static dev.tether.proxy.http.HttpSyntax.isHexDigit;
import static dev.tether.proxy.http.HttpSyntax.isTchar;
import static dev.tether.proxy.http.HttpSyntax.isWhitespace;
import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;

/**
 * An incremental, byte-exact HTTP/1.1 request framing checker: it follows a connection's request
 * stream (request line, header section, fixed-length or chunked body, trailers, next request)
 * without copying body bytes or changing the buffer, and throws at the first byte that breaks a
 * rule.
 *
 * <p>Design note. Lines are collected into an array (bounded by the limits) and checked when their
 * CRLF arrives; bodies are skipped by counting. The array is the event loop's, shared by its
 * connections, since a line is checked within the {@link #scan} that completes it: a connection
 * keeps bytes of its own only for a line that a read cut, until a later read completes it, so an
 * idle kept-alive connection holds no line buffer. Every line must end in CRLF: a bare LF or a CR
 * not followed by LF is refused (RFC 9112 §2.2 allows refusing), which also catches LF/CR smuggled
 * into values. NUL is refused anywhere in a line. A request line may hold only VCHAR and SP (§3);
 * any other byte (a control, obs-text) is refused with 400 as soon as it arrives, since the decoder
 * after us reads a request line as it comes in. Up to {@value #MAX_LEADING_EMPTY_LINES} empty lines
 * before a request line are ignored (§2.2). Chunk lines follow §7.1 strictly: {@code 1*HEXDIG *(BWS
 * ";" BWS name [BWS "=" BWS value]) CRLF}, ASCII only (obs-text in a quoted value is refused, see
 * {@link #checkNotObsText}), at most {@code min(}{@value #MAX_CHUNK_LINE_BYTES}{@code ,
 * maxRequestLineBytes)} bytes (the decoder after us reads them under its request-line limit), sizes
 * up to {@code 2^31-1}, and chunk data must be followed by exactly CRLF.
 *
 * <p>Not thread-safe; confined to the connection's event loop.
 */
final class RequestScanner {

  static final int MAX_LEADING_EMPTY_LINES = 4;
  static final int MAX_CHUNK_LINE_BYTES = 4096;
  private static final int INITIAL_LINE_BYTES = 128;

  /** The event loop's line buffer (grown to the longest line it held; limits bound it). */
  private static final FastThreadLocal<Scratch> SCRATCH =
      new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
          return new Scratch();
        }
      };

  private static final class Scratch {
    byte[] bytes = new byte[INITIAL_LINE_BYTES];
  }

  private enum State {
    REQUEST_LINE,
    HEADER_LINE,
    FIXED_BODY,
    CHUNK_SIZE_LINE,
    CHUNK_DATA,
    CHUNK_DATA_CR,
    CHUNK_DATA_LF,
    TRAILER_LINE
  }

  private final FramingLimits limits;

  /** Netty reads a chunk-size line with its request-line limit, so ours is never above it. */
  private final int chunkLineLimit;

  private final RequestHead head = new RequestHead();
  private State state = State.REQUEST_LINE;

  /** During a scan: the loop's scratch or this connection's cut line. */
  private byte[] line;

  /** Between reads: the start of a line that the last read cut, or {@code null}. */
  private byte[] cutLine;

  private int lineLength;
  private boolean pendingCr;
  private int sectionBytes;
  private int sectionCount;
  private int emptyLines;
  private long remaining;

  RequestScanner(FramingLimits limits) {
    this.limits = requireNonNull(limits, "limits");
    this.chunkLineLimit = Math.min(MAX_CHUNK_LINE_BYTES, limits.maxRequestLineBytes());
  }

  /** Checks the readable bytes of {@code buf} without moving its indexes. */
  void scan(ByteBuf buf) throws FramingException {
    Scratch scratch = SCRATCH.get();
    boolean onScratch = cutLine == null;
    line = onScratch ? scratch.bytes : cutLine;
    try {
      scan(buf, buf.readerIndex(), buf.writerIndex());
    } finally {
      if (onScratch) {
        scratch.bytes = line; // it may have grown
      }
      // keep only what a later read must complete, and as a copy: the scratch is the loop's
      cutLine = lineLength == 0 ? null : onScratch ? Arrays.copyOf(line, lineLength) : line;
      line = null;
    }
  }

  private void scan(ByteBuf buf, int i, int end) throws FramingException {
    while (i < end) {
      switch (state) {
        case FIXED_BODY, CHUNK_DATA -> {
          int n = (int) Math.min(remaining, end - i);
          i += n;
          remaining -= n;
          if (remaining == 0) {
            if (state == State.FIXED_BODY) {
              requestDone();
            } else {
              state = State.CHUNK_DATA_CR;
            }
          }
        }
        case CHUNK_DATA_CR -> {
          expectChunkDelimiter(buf.getByte(i++), CR);
          state = State.CHUNK_DATA_LF;
        }
        case CHUNK_DATA_LF -> {
          expectChunkDelimiter(buf.getByte(i++), LF);
          state = State.CHUNK_SIZE_LINE;
        }
        default -> i = lineBytes(buf, i, end);
      }
    }
  }

  private static void expectChunkDelimiter(byte b, byte expected) throws FramingException {
    if (b != expected) {
      throw badRequest("missing CRLF after chunk data (got " + describe(b) + ")");
    }
  }

  /**
   * Adds the bytes of the current line that {@code buf[i, end)} holds, up to and including its CR,
   * or completes the line when a CR came last; returns the index of the first byte not consumed.
   * The bytes before the CR are found with one search, copied with one call and checked in the
   * array; the first byte that breaks a rule is refused exactly as if the bytes came one by one.
   */
  private int lineBytes(ByteBuf buf, int i, int end) throws FramingException {
    if (pendingCr) {
      if (buf.getByte(i) != LF) {
        throw badRequest("bare CR (not followed by LF) in the " + where());
      }
      pendingCr = false;
      completeLine();
      lineLength = 0;
      return i + 1;
    }
    int cr = buf.indexOf(i, end, CR);
    int n = (cr < 0 ? end : cr) - i;
    if (n > 0) {
      int base = lineLength;
      int room = Math.max(0, lineRoom() - base);
      int take = Math.min(n, room + 1); // one byte past the limit, to refuse it for what it is
      if (base + take > line.length) {
        line = Arrays.copyOf(line, Math.max(line.length * 2, base + take));
      }
      buf.getBytes(i, line, base, take);
      boolean requestLine = state == State.REQUEST_LINE;
      for (int k = base, last = base + take; k < last; k++) {
        byte b = line[k];
        if (b == LF || b == 0 || (requestLine && (b < 0x20 || b > 0x7E))) {
          lineLength = k;
          throw refused(b);
        }
      }
      if (take > room) {
        lineLength = base + room;
        checkLineLimit(); // throws: the byte after the room is over the limit
      }
      lineLength = base + take;
    }
    if (cr < 0) {
      return end;
    }
    pendingCr = true;
    return cr + 1;
  }

  /** How many bytes the current line may hold, by the limit of the part it is in. */
  private int lineRoom() {
    return switch (state) {
      case REQUEST_LINE -> limits.maxRequestLineBytes();
      case HEADER_LINE, TRAILER_LINE -> limits.maxHeaderBytes() - sectionBytes;
      default -> chunkLineLimit;
    };
  }

  /** The error for a byte no line may hold (or, in the request line, a byte that one may not). */
  private FramingException refused(byte b) {
    if (b == LF) {
      return badRequest("bare LF line ending in the " + where() + "; lines must end with CRLF");
    }
    if (b == 0) {
      return badRequest("NUL byte in the " + where());
    }
    // refused at the byte: the decoder after us must never act on a line we will refuse
    return badRequest("invalid character " + describe(b) + " in the " + requestLinePart());
  }

  private void checkLineLimit() throws FramingException {
    switch (state) {
      case REQUEST_LINE -> {
        if (lineLength >= limits.maxRequestLineBytes()) {
          throw new FramingException(
              HttpResponseStatus.REQUEST_URI_TOO_LONG,
              "request line longer than " + limits.maxRequestLineBytes() + " bytes");
        }
      }
      case HEADER_LINE, TRAILER_LINE -> {
        if (sectionBytes + lineLength + 1 > limits.maxHeaderBytes()) {
          throw new FramingException(
              HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, sectionTooLarge());
        }
      }
      default -> {
        if (lineLength >= chunkLineLimit) {
          throw badRequest("chunk-size line longer than " + chunkLineLimit + " bytes");
        }
      }
    }
  }

  /** Which part of the request line the next byte belongs to, by the spaces before it. */
  private String requestLinePart() {
    int spaces = 0;
    for (int i = 0; i < lineLength; i++) {
      if (line[i] == HttpSyntax.SP) {
        spaces++;
      }
    }
    return spaces == 0 ? "method" : spaces == 1 ? "request-target" : "HTTP version";
  }

  private String where() {
    return switch (state) {
      case REQUEST_LINE -> "request line";
      case HEADER_LINE -> "header section";
      case TRAILER_LINE -> "trailer section";
      default -> "chunk-size line";
    };
  }

  private void completeLine() throws FramingException {
    switch (state) {
      case REQUEST_LINE -> {
        if (lineLength == 0) {
          if (++emptyLines > MAX_LEADING_EMPTY_LINES) {
            throw badRequest(
                "more than " + MAX_LEADING_EMPTY_LINES + " empty lines before the request line");
          }
          return;
        }
        head.requestLine(line, lineLength);
        startSection(State.HEADER_LINE);
      }
      case HEADER_LINE -> {
        if (lineLength == 0) {
          startBody(head.finish());
          return;
        }
        countField("header");
        head.field(line, lineLength, sectionCount == 1);
      }
      case TRAILER_LINE -> {
        if (lineLength == 0) {
          requestDone();
          return;
        }
        countField("trailer");
        RequestHead.checkFieldLine(line, lineLength, sectionCount == 1, "trailer");
      }
      default -> {
        long size = chunkSize();
        if (size == 0) {
          // the trailer section's bytes add to the header section's, as in Netty's decoder after
          // us (one limit per message): counted apart, a trailer section under the limit could
          // still make the decoder fail on a request the guard let through
          int headerBytes = sectionBytes;
          startSection(State.TRAILER_LINE);
          sectionBytes = headerBytes;
        } else {
          remaining = size;
          state = State.CHUNK_DATA;
        }
      }
    }
  }

  private String sectionTooLarge() {
    return (state == State.TRAILER_LINE ? "header and trailer sections together" : where())
        + " larger than "
        + limits.maxHeaderBytes()
        + " bytes";
  }

  private void startSection(State section) {
    state = section;
    sectionBytes = 0;
    sectionCount = 0;
  }

  private void countField(String section) throws FramingException {
    sectionBytes += lineLength + 2;
    if (sectionBytes > limits.maxHeaderBytes()) {
      throw new FramingException(
          HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, sectionTooLarge());
    }
    if (++sectionCount > limits.maxHeaderCount()) {
      throw new FramingException(
          HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "more than " + limits.maxHeaderCount() + " " + section + " fields");
    }
  }

  private void startBody(long framing) {
    if (framing == RequestHead.CHUNKED) {
      state = State.CHUNK_SIZE_LINE;
    } else if (framing == 0) {
      requestDone();
    } else {
      remaining = framing;
      state = State.FIXED_BODY;
    }
  }

  private void requestDone() {
    head.reset();
    emptyLines = 0;
    state = State.REQUEST_LINE;
  }

  /** Parses {@code chunk-size [chunk-ext]} of RFC 9112 §7.1.1. */
  private long chunkSize() throws FramingException {
    int i = 0;
    long size = 0;
    while (i < lineLength && isHexDigit(line[i])) {
      size = (size << 4) | Character.digit(line[i], 16);
      if (size > Integer.MAX_VALUE) {
        throw badRequest("chunk size larger than " + Integer.MAX_VALUE + " bytes");
      }
      i++;
    }
    if (i == 0) {
      throw badRequest(
          "invalid chunk size '"
              + RequestHead.printable(RequestHead.ascii(line, 0, lineLength))
              + "'; expected hexadecimal digits");
    }
    while (i < lineLength) {
      i = chunkExtension(i);
    }
    return size;
  }

  /**
   * Parses one {@code BWS ";" BWS ext-name [BWS "=" BWS ext-val]} from {@code i}; returns the next
   * index.
   */
  private int chunkExtension(int i) throws FramingException {
    i = skipWhitespace(i);
    if (i == lineLength || line[i] != ';') {
      throw badRequest(
          i == lineLength
              ? "whitespace after the chunk size"
              : "invalid character " + describe(line[i]) + " after the chunk size");
    }
    i = skipWhitespace(i + 1);
    int nameStart = i;
    while (i < lineLength && isTchar(line[i])) {
      i++;
    }
    if (i == nameStart) {
      throw badRequest("chunk extension without a name");
    }
    int afterName = i;
    i = skipWhitespace(i);
    if (i == lineLength || line[i] != '=') {
      return afterName;
    }
    i = skipWhitespace(i + 1);
    if (i < lineLength && line[i] == '"') {
      return quotedString(i + 1);
    }
    int valueStart = i;
    while (i < lineLength && isTchar(line[i])) {
      i++;
    }
    if (i == valueStart) {
      throw badRequest("chunk extension without a value after '='");
    }
    if (i < lineLength && isWhitespace(line[i])) {
      // RFC 9112 §7.1.1 allows BWS before the next ';', but Netty's decoder after us refuses
      // it; parsers disagreeing about a chunk line is how chunked bodies get smuggled
      throw badRequest(
          "whitespace after the chunk extension value '"
              + RequestHead.printable(RequestHead.ascii(line, valueStart, i))
              + "'; an unquoted value must be followed directly by ';' or the end of the line");
    }
    return i;
  }

  private int quotedString(int i) throws FramingException {
    while (i < lineLength) {
      byte b = line[i++];
      if (b == '"') {
        return i;
      }
      if (b == '\\') {
        if (i == lineLength || !isFieldValueByte(line[i])) {
          throw badRequest("invalid escape in a chunk extension value");
        }
        checkNotObsText(line[i]);
        i++;
      } else if (!isFieldValueByte(b)) {
        throw badRequest("invalid character " + describe(b) + " in a chunk extension value");
      } else {
        checkNotObsText(b);
      }
    }
    throw badRequest("unterminated quoted chunk extension value");
  }

  /**
   * Refuses obs-text (0x80-0xFF) in a quoted chunk extension value. RFC 9112 §7.1.1's grammar
   * allows it there (quoted-string, RFC 9110 §5.6.4), but no extension is understood here, and
   * Netty's decoder after us fails on such bytes; parsers disagreeing about chunk lines is how
   * chunked bodies get smuggled, so such a line is refused with its byte named.
   */
  private static void checkNotObsText(byte b) throws FramingException {
    if ((b & 0x80) != 0) {
      throw badRequest(
          "non-ASCII byte "
              + describe(b)
              + " (obs-text) in a chunk extension value; "
              + "chunk extensions must be ASCII");
    }
  }

  private int skipWhitespace(int i) {
    while (i < lineLength && isWhitespace(line[i])) {
      i++;
    }
    return i;
  }
}
