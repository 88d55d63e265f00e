package dev.tether.session.cookie;

import static java.util.Objects.requireNonNull;

import dev.tether.session.codec.AttributeCodec;
import dev.tether.session.codec.AttributeSerializer;
import dev.tether.session.codec.EncryptionKeys;
import dev.tether.session.spi.AttributeValue;
import dev.tether.session.spi.SessionRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole session to cookie values and back. The record (id, times, timeouts, version, principal,
 * attributes with their versions) is written in a small binary form, deflated and sealed with
 * AES-GCM by the {@link AttributeCodec} under the key ring, so the key id, nonce and tag travel in
 * the seal and a rotation only adds a key. The sealed bytes are base64url-encoded and split over
 * cookies of at most {@link CookieStoreSettings#cookieSize()} bytes each.
 *
 * <p>Opening is strict: only an encrypted seal is accepted (the codec would pass an unsealed value
 * through), the base64 text must be canonical (a changed unused bit in the last character is a
 * tamper too), and any failure is an empty result, never an exception for the caller to forget.
 */
final class SessionSeal {

  /** Additional data of the seal: a sealed session opens only as a cookie session. */
  private static final String PURPOSE = "tether.cookie-session";

  private static final byte FORMAT = 1;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final AttributeCodec codec;
  private final CookieStoreSettings settings;
  private final int limit;

  SessionSeal(EncryptionKeys keys, CookieStoreSettings settings, SecureRandom random) {
    requireNonNull(keys, "keys");
    this.settings = requireNonNull(settings, "settings");
    for (var e : keys.keys().entrySet()) {
      if (e.getValue().getEncoded().length != 32) {
        throw new IllegalArgumentException(
            "cookie sessions are sealed with AES-256: key '" + e.getKey() + "' must be 32 bytes");
      }
    }
    int room = 0;
    for (int i = 0; i < settings.maxCookies(); i++) {
      room += valueRoom(i);
    }
    this.limit = room;
    // inflating is capped well above what fits the cookies, so a deflate bomb is refused
    this.codec =
        new AttributeCodec(
            new RawBytes(),
            new AttributeCodec.Options(0, Math.max(1 << 20, room * 16), keys),
            random);
  }

  /** The most cookie characters a session may take. */
  int limit() {
    return limit;
  }

  /**
   * The cookie values for {@code r}.
   *
   * @throws SessionTooLargeException when they would not fit
   */
  List<String> seal(SessionRecord r) {
    byte[] plain = write(r);
    if (plain.length > limit * 16) {
      throw new SessionTooLargeException(plain.length, limit, settings);
    }
    String text = B64.encodeToString(codec.encode(PURPOSE, plain));
    if (text.length() > limit) {
      throw new SessionTooLargeException(text.length(), limit, settings);
    }
    List<String> parts = new ArrayList<>();
    int at = 0;
    for (int i = 0; at < text.length(); i++) {
      int end = Math.min(text.length(), at + valueRoom(i));
      parts.add(text.substring(at, end));
      at = end;
    }
    return List.copyOf(parts);
  }

  /** The session sealed in {@code values}, or empty when they do not open. */
  Optional<Opened> open(List<String> values) {
    if (values.isEmpty() || values.size() > settings.maxCookies()) {
      return Optional.empty();
    }
    String text = String.join("", values);
    if (text.isEmpty() || text.length() > limit) {
      return Optional.empty();
    }
    try {
      byte[] sealed = B64D.decode(text);
      if (!B64.encodeToString(sealed).equals(text) || AttributeCodec.keyIdOf(sealed) == null) {
        return Optional.empty();
      }
      SessionRecord r = read((byte[]) codec.decode(PURPOSE, sealed));
      return Optional.of(new Opened(r, codec.isSealedWithCurrentKey(sealed)));
    } catch (IllegalArgumentException | IllegalStateException e) {
      return Optional.empty(); // tampered, truncated, unknown key or a malformed body
    }
  }

  /**
   * An opened seal.
   *
   * @param record the session
   * @param currentKey whether it was sealed with the current key (else it is re-sealed)
   */
  record Opened(SessionRecord record, boolean currentKey) {}

  private int valueRoom(int index) {
    return settings.cookieSize() - settings.nameOf(index).length() - 1;
  }

  static byte[] write(SessionRecord r) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      writeString(out, r.id());
      out.writeLong(r.createdAt().toEpochMilli());
      out.writeLong(r.lastAccessedAt().toEpochMilli());
      out.writeLong(r.idleTimeout().toMillis());
      out.writeLong(r.absoluteTimeout().toMillis());
      out.writeLong(r.version());
      out.writeBoolean(r.principal() != null);
      if (r.principal() != null) {
        writeString(out, r.principal());
      }
      out.writeInt(r.attributes().size());
      for (Map.Entry<String, AttributeValue> e : r.attributes().entrySet()) {
        writeString(out, e.getKey());
        out.writeLong(e.getValue().version());
        byte[] v = e.getValue().bytes();
        out.writeInt(v.length);
        out.write(v);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static SessionRecord read(byte[] plain) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain))) {
      if (in.readByte() != FORMAT) {
        throw new IllegalArgumentException("unknown cookie session format");
      }
      String id = readString(in);
      Instant created = Instant.ofEpochMilli(in.readLong());
      Instant access = Instant.ofEpochMilli(in.readLong());
      Duration idle = Duration.ofMillis(in.readLong());
      Duration absolute = Duration.ofMillis(in.readLong());
      long version = in.readLong();
      String principal = in.readBoolean() ? readString(in) : null;
      int n = in.readInt();
      if (n < 0 || n > plain.length) {
        throw new IllegalArgumentException("bad attribute count");
      }
      Map<String, AttributeValue> attrs = new HashMap<>();
      for (int i = 0; i < n; i++) {
        String name = readString(in);
        long v = in.readLong();
        attrs.put(name, new AttributeValue(readBytes(in, plain.length), v));
      }
      if (in.available() != 0) {
        throw new IllegalArgumentException("trailing bytes");
      }
      return new SessionRecord(id, created, access, idle, absolute, version, principal, attrs);
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated cookie session", e);
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    return new String(readBytes(in, Integer.MAX_VALUE), StandardCharsets.UTF_8);
  }

  private static byte[] readBytes(DataInputStream in, int max) throws IOException {
    int len = in.readInt();
    if (len < 0 || len > max || len > in.available()) {
      throw new IllegalArgumentException("bad length " + len);
    }
    return in.readNBytes(len);
  }

  /** Bytes as they are: the seal's payload is already binary. */
  private static final class RawBytes implements AttributeSerializer {
    @Override
    public byte[] serialize(Object value) {
      return (byte[]) value;
    }

    @Override
    public Object deserialize(byte[] bytes) {
      return bytes;
    }
  }
}
