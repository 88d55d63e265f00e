package dev.tether.session.memcached;

import dev.tether.session.spi.AttributeValue;
import dev.tether.session.spi.SessionRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one Memcached key holds (after {@link Replicas}' header): a live session, a tombstone, the
 * mark a sweep leaves on a claimed session, a set of ids (principal index, expiry bucket) or the
 * sweep's low-water bucket. Binary, one kind byte first.
 */
sealed interface Entry {

  /** A session as stored. */
  record Live(SessionRecord record) implements Entry {}

  /**
   * A deleted or rotated-away id (or one reserved by a rotation) that cannot be used until {@code
   * endMillis}.
   */
  record Tomb(long endMillis) implements Entry {}

  /** A session a sweep claimed; the id is free again. */
  record Swept() implements Entry {}

  /** Ids kept together, and until when (logical ms) the key must live. */
  record Ids(long keepUntilMillis, Set<String> ids) implements Entry {
    public Ids {
      ids = Set.copyOf(ids);
    }
  }

  /** The lowest expiry bucket that may still hold entries. */
  record Low(long bucket) implements Entry {}

  static byte[] encode(Entry e) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      switch (e) {
        case Live l -> writeLive(out, l.record());
        case Tomb t -> {
          out.writeByte('T');
          out.writeLong(t.endMillis());
        }
        case Swept s -> out.writeByte('W');
        case Ids i -> {
          out.writeByte('I');
          out.writeLong(i.keepUntilMillis());
          out.writeInt(i.ids().size());
          for (String id : i.ids()) {
            out.writeUTF(id);
          }
        }
        case Low l -> {
          out.writeByte('M');
          out.writeLong(l.bucket());
        }
      }
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
    return bytes.toByteArray();
  }

  static Entry decode(String id, byte[] payload) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
      int kind = in.readByte();
      return switch (kind) {
        case 'L' -> new Live(readLive(id, in));
        case 'T' -> new Tomb(in.readLong());
        case 'W' -> new Swept();
        case 'I' -> {
          long keep = in.readLong();
          int n = in.readInt();
          Set<String> ids = new LinkedHashSet<>();
          for (int k = 0; k < n; k++) {
            ids.add(in.readUTF());
          }
          yield new Ids(keep, ids);
        }
        case 'M' -> new Low(in.readLong());
        default -> throw new IllegalStateException("memcached: unknown entry kind " + kind);
      };
    } catch (IOException x) {
      throw new IllegalStateException("memcached: corrupt entry", x);
    }
  }

  private static void writeLive(DataOutputStream out, SessionRecord r) throws IOException {
    out.writeByte('L');
    out.writeLong(r.createdAt().toEpochMilli());
    out.writeLong(r.lastAccessedAt().toEpochMilli());
    out.writeLong(r.idleTimeout().toMillis());
    out.writeLong(r.absoluteTimeout().toMillis());
    out.writeLong(r.version());
    out.writeBoolean(r.principal() != null);
    if (r.principal() != null) {
      out.writeUTF(r.principal());
    }
    out.writeInt(r.attributes().size());
    for (Map.Entry<String, AttributeValue> a : r.attributes().entrySet()) {
      out.writeUTF(a.getKey());
      out.writeLong(a.getValue().version());
      out.writeInt(a.getValue().length());
      out.write(a.getValue().bytes());
    }
  }

  private static SessionRecord readLive(String id, DataInputStream in) throws IOException {
    Instant created = Instant.ofEpochMilli(in.readLong());
    Instant access = Instant.ofEpochMilli(in.readLong());
    Duration idle = Duration.ofMillis(in.readLong());
    Duration absolute = Duration.ofMillis(in.readLong());
    long version = in.readLong();
    String principal = in.readBoolean() ? in.readUTF() : null;
    int n = in.readInt();
    Map<String, AttributeValue> attributes = new HashMap<>();
    for (int k = 0; k < n; k++) {
      String name = in.readUTF();
      long v = in.readLong();
      byte[] b = new byte[in.readInt()];
      in.readFully(b);
      attributes.put(name, new AttributeValue(b, v));
    }
    return new SessionRecord(id, created, access, idle, absolute, version, principal, attributes);
  }
}
