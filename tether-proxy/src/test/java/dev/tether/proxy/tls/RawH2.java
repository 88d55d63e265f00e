package dev.tether.proxy.tls;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A hand-written HTTP/2 client over a plain socket (h2c with prior knowledge) that sends whatever
 * frames a test asks for, including the ones a well-behaved client never sends in bulk. Header
 * blocks are HPACK without Huffman coding or dynamic table: static-table entries and literals.
 */
final class RawH2 implements AutoCloseable {

  static final int DATA = 0;
  static final int HEADERS = 1;
  static final int RST_STREAM = 3;
  static final int SETTINGS = 4;
  static final int PING = 6;
  static final int GOAWAY = 7;
  static final int WINDOW_UPDATE = 8;
  static final int CONTINUATION = 9;
  static final int END_STREAM = 0x1;
  static final int END_HEADERS = 0x4;
  static final int PROTOCOL_ERROR = 0x1;
  static final int COMPRESSION_ERROR = 0x9;
  static final int ENHANCE_YOUR_CALM = 0xb;

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;

  private RawH2(Socket socket) throws IOException {
    this.socket = socket;
    // frames are gathered until flush(): a flood then reaches the kernel in one write, before the
    // balancer can cut the connection (a frame-by-frame writer would see a broken pipe halfway)
    this.out = new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 18);
    this.in = new DataInputStream(socket.getInputStream());
  }

  /**
   * Connects to 127.0.0.1:{@code port} and sends the client preface and an empty SETTINGS frame.
   */
  static RawH2 connect(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    RawH2 c = new RawH2(s);
    c.out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    c.frame(SETTINGS, 0, 0, new byte[0]);
    return c;
  }

  /**
   * A GET of {@code path} for authority {@code localhost}: {@code :method GET}, {@code :scheme
   * http}, the path.
   */
  static byte[] getBlock(String path) {
    ByteBuffer b = ByteBuffer.allocate(64 + path.length());
    b.put((byte) 0x82); // :method GET
    b.put((byte) 0x86); // :scheme http
    b.put((byte) 0x04); // :path, literal without indexing, name from the static table
    literal(b, path);
    b.put((byte) 0x01); // :authority, literal without indexing
    literal(b, "localhost");
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  /** One literal header {@code name: value} (new name, without indexing). */
  static byte[] literalHeader(String name, String value) {
    ByteBuffer b = ByteBuffer.allocate(16 + name.length() + value.length());
    b.put((byte) 0x00);
    literal(b, name);
    literal(b, value);
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  private static void literal(ByteBuffer b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    int n = bytes.length;
    if (n < 127) {
      b.put((byte) n);
    } else { // 7-bit prefix integer
      b.put((byte) 127);
      n -= 127;
      while (n >= 128) {
        b.put((byte) ((n & 0x7f) | 0x80));
        n >>>= 7;
      }
      b.put((byte) n);
    }
    b.put(bytes);
  }

  void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] f = new byte[9 + payload.length];
    f[0] = (byte) (payload.length >>> 16);
    f[1] = (byte) (payload.length >>> 8);
    f[2] = (byte) payload.length;
    f[3] = (byte) type;
    f[4] = (byte) flags;
    f[5] = (byte) (stream >>> 24);
    f[6] = (byte) (stream >>> 16);
    f[7] = (byte) (stream >>> 8);
    f[8] = (byte) stream;
    System.arraycopy(payload, 0, f, 9, payload.length);
    out.write(f);
  }

  void headers(int stream, int flags, byte[] block) throws IOException {
    frame(HEADERS, flags, stream, block);
  }

  void reset(int stream) throws IOException {
    frame(RST_STREAM, 0, stream, new byte[] {0, 0, 0, 8}); // CANCEL
  }

  void ping(long data) throws IOException {
    frame(PING, 0, 0, ByteBuffer.allocate(8).putLong(data).array());
  }

  void settings() throws IOException {
    frame(SETTINGS, 0, 0, new byte[0]);
  }

  /** A SETTINGS frame with one setting: {@code id} (e.g. 4, SETTINGS_INITIAL_WINDOW_SIZE). */
  void settings(int id, int value) throws IOException {
    frame(SETTINGS, 0, 0, ByteBuffer.allocate(6).putShort((short) id).putInt(value).array());
  }

  /** A WINDOW_UPDATE of {@code increment} bytes for {@code stream} (0: the connection). */
  void windowUpdate(int stream, int increment) throws IOException {
    frame(WINDOW_UPDATE, 0, stream, ByteBuffer.allocate(4).putInt(increment).array());
  }

  /** One frame read from the balancer. */
  record Frame(int type, int flags, int stream, byte[] payload) {
    boolean endStream() {
      return (flags & END_STREAM) != 0;
    }
  }

  /** Flushes what was written and reads the next frame; fails after 10 s without one. */
  Frame next() throws IOException {
    out.flush();
    byte[] head = new byte[9];
    try {
      in.readFully(head);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no frame within 10 s", e);
    }
    int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new Frame(
        head[3], head[4] & 0xff, ByteBuffer.wrap(head, 5, 4).getInt() & 0x7fffffff, payload);
  }

  void flush() throws IOException {
    out.flush();
  }

  /**
   * Reads frames until a GOAWAY and returns its error code; -1 when the connection ends without
   * one. Other frames are skipped. A write error (the peer closed first) also counts as the end.
   */
  int awaitGoAway() throws IOException {
    out.flush();
    byte[] head = new byte[9];
    while (true) {
      try {
        in.readFully(head);
      } catch (EOFException | java.net.SocketException e) {
        return -1;
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no GOAWAY and no close within 10 s", e);
      }
      int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
      byte[] payload = new byte[length];
      try {
        in.readFully(payload);
      } catch (EOFException | java.net.SocketException e) {
        return -1;
      }
      if (head[3] == GOAWAY) {
        return ByteBuffer.wrap(payload, 4, 4).getInt();
      }
    }
  }

  /**
   * Reads frames until {@code stream} ends or the connection does: {@code "headers"} when the
   * balancer answered it, {@code "rst:N"} for RST_STREAM with code N, {@code "goaway:N"} for a
   * GOAWAY, {@code "closed"} when the connection ended without one.
   */
  String awaitStreamEnd(int stream) throws IOException {
    out.flush();
    byte[] head = new byte[9];
    while (true) {
      try {
        in.readFully(head);
      } catch (EOFException | java.net.SocketException e) {
        return "closed";
      } catch (SocketTimeoutException e) {
        throw new AssertionError("stream " + stream + " neither answered nor ended within 10 s", e);
      }
      int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
      int id = ByteBuffer.wrap(head, 5, 4).getInt() & 0x7fffffff;
      byte[] payload = new byte[length];
      try {
        in.readFully(payload);
      } catch (EOFException | java.net.SocketException e) {
        return "closed";
      }
      if (head[3] == GOAWAY) {
        return "goaway:" + ByteBuffer.wrap(payload, 4, 4).getInt();
      }
      if (id == stream && head[3] == RST_STREAM) {
        return "rst:" + ByteBuffer.wrap(payload, 0, 4).getInt();
      }
      if (id == stream && head[3] == HEADERS) {
        return "headers";
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
