package dev.tether.session.file;

import dev.tether.session.spi.AttributeValue;
import dev.tether.session.spi.SessionRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The binary layout of one session file. A fixed header comes first so the version and expiry can
 * be read from the first {@link #HEADER_BYTES} bytes without reading the attributes:
 *
 * <pre>
 * int   magic 'TSF1'
 * long  version
 * long  createdAt (epoch ms)
 * long  lastAccessedAt (epoch ms)
 * long  idleTimeout (ms)
 * long  absoluteTimeout (ms)
 * bool  has principal, [UTF principal]
 * int   attribute count, then per attribute: UTF name, long version, int length, bytes
 * </pre>
 */
final class SessionFileFormat {

  static final int MAGIC = 0x54534631;
  static final int HEADER_BYTES = 4 + 8 * 5;

  /** Version and expiry from the header. */
  record Header(long version, Instant expiresAt) {}

  private SessionFileFormat() {}

  static byte[] write(SessionRecord r) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeLong(r.version());
      out.writeLong(r.createdAt().toEpochMilli());
      out.writeLong(r.lastAccessedAt().toEpochMilli());
      out.writeLong(r.idleTimeout().toMillis());
      out.writeLong(r.absoluteTimeout().toMillis());
      out.writeBoolean(r.principal() != null);
      if (r.principal() != null) {
        out.writeUTF(r.principal());
      }
      out.writeInt(r.attributes().size());
      for (Map.Entry<String, AttributeValue> e : r.attributes().entrySet()) {
        out.writeUTF(e.getKey());
        out.writeLong(e.getValue().version());
        out.writeInt(e.getValue().length());
        out.write(e.getValue().bytes());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a session file", e);
    }
    return bytes.toByteArray();
  }

  static SessionRecord read(String id, byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readInt() != MAGIC) {
        throw new IllegalStateException("a session file has an unknown format");
      }
      long version = in.readLong();
      Instant created = Instant.ofEpochMilli(in.readLong());
      Instant access = Instant.ofEpochMilli(in.readLong());
      Duration idle = Duration.ofMillis(in.readLong());
      Duration absolute = Duration.ofMillis(in.readLong());
      String principal = in.readBoolean() ? in.readUTF() : null;
      int count = in.readInt();
      Map<String, AttributeValue> attrs = new HashMap<>();
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        long v = in.readLong();
        byte[] value = new byte[in.readInt()];
        in.readFully(value);
        attrs.put(name, new AttributeValue(value, v));
      }
      return new SessionRecord(id, created, access, idle, absolute, version, principal, attrs);
    } catch (IOException e) {
      throw new IllegalStateException("a session file is truncated or corrupt", e);
    }
  }

  static Header header(ByteBuffer b) {
    if (b.remaining() < HEADER_BYTES || b.getInt() != MAGIC) {
      throw new IllegalStateException("a session file is truncated or has an unknown format");
    }
    long version = b.getLong();
    long created = b.getLong();
    long access = b.getLong();
    long idle = b.getLong();
    long absolute = b.getLong();
    long expires = Math.min(access + idle, created + absolute);
    return new Header(version, Instant.ofEpochMilli(expires));
  }
}
