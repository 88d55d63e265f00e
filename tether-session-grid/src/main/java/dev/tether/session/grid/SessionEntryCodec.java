package dev.tether.session.grid;

import dev.tether.session.spi.AttributeValue;
import dev.tether.session.spi.SessionRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The grid's value format: one {@code byte[]} per session id, written and read here, so the grid
 * never marshals a Java object of ours (no Java serialization, no ProtoStream schema to register on
 * every member) and conditional operations compare plain bytes.
 *
 * <pre>
 * byte  kind: 1 live session, 2 tombstone
 * long  end (epoch ms): expiresAt of a live session, the end of a tombstone
 * live only:
 *   long version, long createdAt, long lastAccessedAt, long idleTimeout ms, long absoluteTimeout ms
 *   int   principal length in UTF-8 bytes (-1 for none), bytes
 *   int   attribute count, then per attribute: int name length, UTF-8 name, long version,
 *         int value length, value bytes
 * </pre>
 *
 * <p>The fixed 9-byte head lets the sweep decide "over or not" without decoding attributes.
 */
final class SessionEntryCodec {

  static final byte LIVE = 1;
  static final byte TOMBSTONE = 2;
  private static final int HEAD = 9;
  private static final int PRINCIPAL = HEAD + 5 * 8;

  private SessionEntryCodec() {}

  static byte[] live(SessionRecord r) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(LIVE);
      out.writeLong(r.expiresAt().toEpochMilli());
      out.writeLong(r.version());
      out.writeLong(r.createdAt().toEpochMilli());
      out.writeLong(r.lastAccessedAt().toEpochMilli());
      out.writeLong(r.idleTimeout().toMillis());
      out.writeLong(r.absoluteTimeout().toMillis());
      writeString(out, r.principal());
      out.writeInt(r.attributes().size());
      for (Map.Entry<String, AttributeValue> e : r.attributes().entrySet()) {
        writeString(out, e.getKey());
        out.writeLong(e.getValue().version());
        out.writeInt(e.getValue().length());
        out.write(e.getValue().bytes());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a grid session entry", e);
    }
    return bytes.toByteArray();
  }

  static byte[] tombstone(Instant until) {
    return ByteBuffer.allocate(HEAD).put(TOMBSTONE).putLong(until.toEpochMilli()).array();
  }

  static boolean isLive(byte[] entry) {
    return kind(entry) == LIVE;
  }

  /** The session's expiry or the tombstone's end. */
  static Instant end(byte[] entry) {
    kind(entry);
    return Instant.ofEpochMilli(ByteBuffer.wrap(entry, 1, 8).getLong());
  }

  /** Whether the entry no longer blocks its id at {@code now}: expired or a run-out tombstone. */
  static boolean isOver(byte[] entry, Instant now) {
    return !now.isBefore(end(entry));
  }

  /** The version of a live entry, read without decoding attributes. */
  static long version(byte[] entry) {
    requireLive(entry);
    return ByteBuffer.wrap(entry).getLong(HEAD);
  }

  /** The principal of a live entry, or {@code null}, read without decoding attributes. */
  static String principal(byte[] entry) {
    requireLive(entry);
    ByteBuffer b = ByteBuffer.wrap(entry);
    int n = b.getInt(PRINCIPAL);
    if (n < 0) {
      return null;
    }
    if (n > entry.length - PRINCIPAL - 4) {
      throw new IllegalStateException("a grid session entry is truncated or corrupt");
    }
    return new String(entry, PRINCIPAL + 4, n, StandardCharsets.UTF_8);
  }

  static SessionRecord read(String id, byte[] entry) {
    requireLive(entry);
    try (DataInputStream in =
        new DataInputStream(new ByteArrayInputStream(entry, HEAD, entry.length - HEAD))) {
      long version = in.readLong();
      Instant created = Instant.ofEpochMilli(in.readLong());
      Instant access = Instant.ofEpochMilli(in.readLong());
      Duration idle = Duration.ofMillis(in.readLong());
      Duration absolute = Duration.ofMillis(in.readLong());
      String principal = readString(in);
      int count = in.readInt();
      Map<String, AttributeValue> attrs = new HashMap<>(Math.max(4, count * 2));
      for (int i = 0; i < count; i++) {
        String name = readString(in);
        long v = in.readLong();
        byte[] value = new byte[in.readInt()];
        in.readFully(value);
        attrs.put(name, new AttributeValue(value, v));
      }
      return new SessionRecord(id, created, access, idle, absolute, version, principal, attrs);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("a grid session entry is truncated or corrupt", e);
    }
  }

  private static void requireLive(byte[] entry) {
    if (kind(entry) != LIVE || entry.length < PRINCIPAL + 4) {
      throw new IllegalStateException("a grid entry is a tombstone or truncated, not a session");
    }
  }

  private static byte kind(byte[] entry) {
    if (entry.length < HEAD || (entry[0] != LIVE && entry[0] != TOMBSTONE)) {
      throw new IllegalStateException("a grid session entry has an unknown format");
    }
    return entry[0];
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
