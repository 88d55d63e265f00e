package dev.tether.balance.affinity.token;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;

/**
 * Encodes affinity tokens and verifies them.
 *
 * <p>Design note: a token is compact binary in base64url without padding (RFC 4648 §5):
 *
 * <pre>
 * version 1: 1 key-tag(1) session(4) issued-at(4) last-seen(4) name-length(1) name(n) mac(16)
 * version 2: 2 key-tag(1) session(4) issued-at(4) last-seen(4) epoch(4) name-length(1) name(n)
 *            owner-count(1) { owner-length(1) owner(n) }* mac(16)
 * </pre>
 *
 * A token with binding epoch 0 and no owners is written as version 1, byte for byte what earlier
 * releases wrote; one that was re-pinned or learned its session's owners is written as version 2.
 * Both verify, so tokens issued before owners existed keep their sessions. Version 2 covers the
 * epoch and every owner with the MAC like the rest, so neither can be changed by a client.
 *
 * <p>Times are unsigned epoch seconds (good until 2106). The MAC is HMAC-SHA-256 (RFC 2104) over
 * every byte before it, truncated to 128 bits (RFC 2104 §5 allows truncation to at least half the
 * output; 2^-128 forgery odds per try). The comparison is constant-time. Decoding is strict: a
 * non-canonical base64 spelling (non-zero spare bits), a wrong length, an unknown version or key
 * tag, or a bad MAC all yield {@code null}, so one token has exactly one spelling and a
 * one-character change is always caught. For a two-character server name the token is 33 bytes, 44
 * characters.
 *
 * <p>Verified tokens are remembered in a small direct-mapped table keyed by their exact text, so a
 * returning client's token (the same text until its next refresh) costs a hash and a string
 * comparison instead of an HMAC; only text that verified is ever stored, and expiry is still
 * checked by the caller against the times inside. Slots hold immutable entries written racily,
 * which the Java memory model makes safe for objects with only final fields (JLS §17.5).
 *
 * <p>Thread-safe; decoding uses per-thread scratch buffers and allocates only the result.
 */
public final class TokenCodec {

  static final int VERSION = 1;
  static final int VERSION_OWNERS = 2;

  /** At most this many owners are kept in a token (a grid keeps a few copies of a session). */
  public static final int MAX_OWNERS = 8;

  static final int MAC_BYTES = 16;
  private static final int HEADER = 15;
  private static final int HEADER_V2 = 19;
  private static final int MAX_BYTES = HEADER_V2 + 255 + 1 + MAX_OWNERS * 256 + MAC_BYTES;
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
  private static final byte[] VALUE = new byte[128];

  static {
    java.util.Arrays.fill(VALUE, (byte) -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      VALUE[ALPHABET[i]] = (byte) i;
    }
  }

  private static final class Scratch {
    final byte[] bytes = new byte[MAX_BYTES];
    final byte[] mac = new byte[32];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private record Verified(String text, AffinityToken token) {}

  /** Slots of the verified-token table (a power of two); 65 536 references, 256 KiB at most. */
  static final int VERIFIED_SLOTS = 1 << 16;

  private final KeyRing ring;
  private final Verified[] verified = new Verified[VERIFIED_SLOTS];

  public TokenCodec(KeyRing ring) {
    this.ring = requireNonNull(ring, "ring");
  }

  public KeyRing ring() {
    return ring;
  }

  /** The token's text, signed with the ring's first key. */
  public String encode(AffinityToken t) {
    byte[] name = utf8(t.server(), "server");
    boolean v2 = t.epoch() != 0 || !t.owners().isEmpty();
    if (t.owners().size() > MAX_OWNERS) {
      throw new IllegalArgumentException(
          "at most " + MAX_OWNERS + " owners fit a token: " + t.owners());
    }
    byte[][] owners = new byte[t.owners().size()][];
    int ownerBytes = 0;
    for (int i = 0; i < owners.length; i++) {
      owners[i] = utf8(t.owners().get(i), "owner");
      ownerBytes += 1 + owners[i].length;
    }
    int header = v2 ? HEADER_V2 : HEADER;
    int bodyLen = header + name.length + (v2 ? 1 + ownerBytes : 0);
    int tag = ring.signingTag();
    byte[] b = new byte[bodyLen + MAC_BYTES];
    b[0] = (byte) (v2 ? VERSION_OWNERS : VERSION);
    b[1] = (byte) tag;
    putInt(b, 2, t.session());
    putInt(b, 6, (int) t.issuedAt());
    putInt(b, 10, (int) t.lastSeen());
    if (v2) {
      putInt(b, 14, t.epoch());
    }
    b[header - 1] = (byte) name.length;
    System.arraycopy(name, 0, b, header, name.length);
    if (v2) {
      int at = header + name.length;
      b[at++] = (byte) owners.length;
      for (byte[] o : owners) {
        b[at++] = (byte) o.length;
        System.arraycopy(o, 0, b, at, o.length);
        at += o.length;
      }
    }
    Mac mac = ring.mac(tag);
    mac.update(b, 0, bodyLen);
    byte[] full = mac.doFinal();
    System.arraycopy(full, 0, b, bodyLen, MAC_BYTES);
    return base64(b, b.length);
  }

  private static byte[] utf8(String s, String what) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 255) {
      throw new IllegalArgumentException(what + " name longer than 255 bytes: " + s);
    }
    return b;
  }

  /** The verified token, or {@code null} when {@code text} is not one this ring signed. */
  public AffinityToken decode(CharSequence text) {
    if (text == null) {
      return null;
    }
    if (text instanceof String s) {
      int slot = s.hashCode() & (VERIFIED_SLOTS - 1);
      Verified v = verified[slot];
      if (v != null && v.text().equals(s)) {
        return v.token();
      }
      AffinityToken t = verify(s);
      if (t != null) {
        verified[slot] = new Verified(s, t);
      }
      return t;
    }
    return verify(text);
  }

  /**
   * Decodes and checks the MAC, without the verified-token table: what a token's first sighting
   * costs (public for the benchmark that measures it; {@link #decode} is the one to call).
   */
  public AffinityToken verify(CharSequence text) {
    Scratch s = SCRATCH.get();
    int n = unbase64(text, s.bytes);
    if (n < HEADER + MAC_BYTES) {
      return null;
    }
    byte[] b = s.bytes;
    boolean v2 = b[0] == VERSION_OWNERS;
    if (!v2 && b[0] != VERSION) {
      return null;
    }
    int header = v2 ? HEADER_V2 : HEADER;
    if (n < header + MAC_BYTES) {
      return null;
    }
    int nameLen = b[header - 1] & 0xFF;
    int bodyLen = header + nameLen;
    int ownerCount = 0;
    if (v2) {
      // Walk the owner list within the bytes present; any length that overruns is a bad token.
      if (bodyLen >= n - MAC_BYTES) {
        return null;
      }
      ownerCount = b[bodyLen++] & 0xFF;
      if (ownerCount > MAX_OWNERS) {
        return null;
      }
      for (int i = 0; i < ownerCount; i++) {
        if (bodyLen >= n - MAC_BYTES) {
          return null;
        }
        bodyLen += 1 + (b[bodyLen] & 0xFF);
      }
    }
    if (n != bodyLen + MAC_BYTES) {
      return null;
    }
    Mac mac = ring.mac(b[1]);
    if (mac == null) {
      return null;
    }
    mac.update(b, 0, bodyLen);
    try {
      mac.doFinal(s.mac, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException("HMAC-SHA-256 output larger than 32 bytes", e);
    }
    int diff = 0;
    for (int i = 0; i < MAC_BYTES; i++) {
      diff |= s.mac[i] ^ b[bodyLen + i];
    }
    if (diff != 0) {
      return null;
    }
    String server = new String(b, header, nameLen, StandardCharsets.UTF_8);
    long issuedAt = getInt(b, 6) & 0xFFFFFFFFL;
    long lastSeen = getInt(b, 10) & 0xFFFFFFFFL;
    if (!v2) {
      return new AffinityToken(getInt(b, 2), server, issuedAt, lastSeen);
    }
    String[] owners = new String[ownerCount];
    int at = header + nameLen + 1;
    for (int i = 0; i < ownerCount; i++) {
      int len = b[at] & 0xFF;
      owners[i] = new String(b, at + 1, len, StandardCharsets.UTF_8);
      at += 1 + len;
    }
    return new AffinityToken(
        getInt(b, 2), server, issuedAt, lastSeen, getInt(b, 14), java.util.List.of(owners));
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  private static int getInt(byte[] b, int at) {
    return (b[at] & 0xFF) << 24
        | (b[at + 1] & 0xFF) << 16
        | (b[at + 2] & 0xFF) << 8
        | (b[at + 3] & 0xFF);
  }

  static String base64(byte[] b, int len) {
    char[] out = new char[(len * 4 + 2) / 3];
    int o = 0;
    int i = 0;
    for (; i + 3 <= len; i += 3) {
      int v = (b[i] & 0xFF) << 16 | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF);
      out[o++] = ALPHABET[v >>> 18];
      out[o++] = ALPHABET[(v >>> 12) & 63];
      out[o++] = ALPHABET[(v >>> 6) & 63];
      out[o++] = ALPHABET[v & 63];
    }
    if (len - i == 1) {
      int v = (b[i] & 0xFF) << 16;
      out[o++] = ALPHABET[v >>> 18];
      out[o++] = ALPHABET[(v >>> 12) & 63];
    } else if (len - i == 2) {
      int v = (b[i] & 0xFF) << 16 | (b[i + 1] & 0xFF) << 8;
      out[o++] = ALPHABET[v >>> 18];
      out[o++] = ALPHABET[(v >>> 12) & 63];
      out[o++] = ALPHABET[(v >>> 6) & 63];
    }
    return new String(out, 0, o);
  }

  /** Decodes canonical unpadded base64url into {@code out}; the byte count, or -1. */
  static int unbase64(CharSequence s, byte[] out) {
    int len = s.length();
    int rem = len & 3;
    if (rem == 1 || (len / 4) * 3 + (rem == 0 ? 0 : rem - 1) > out.length) {
      return -1;
    }
    int o = 0;
    int i = 0;
    for (; i + 4 <= len; i += 4) {
      int a = sextet(s.charAt(i));
      int b = sextet(s.charAt(i + 1));
      int c = sextet(s.charAt(i + 2));
      int d = sextet(s.charAt(i + 3));
      if ((a | b | c | d) < 0) {
        return -1;
      }
      int v = a << 18 | b << 12 | c << 6 | d;
      out[o++] = (byte) (v >>> 16);
      out[o++] = (byte) (v >>> 8);
      out[o++] = (byte) v;
    }
    if (rem == 2) {
      int a = sextet(s.charAt(i));
      int b = sextet(s.charAt(i + 1));
      int v = a << 6 | b;
      if ((a | b) < 0 || (v & 0xF) != 0) {
        return -1;
      }
      out[o++] = (byte) (v >>> 4);
    } else if (rem == 3) {
      int a = sextet(s.charAt(i));
      int b = sextet(s.charAt(i + 1));
      int c = sextet(s.charAt(i + 2));
      int v = a << 12 | b << 6 | c;
      if ((a | b | c) < 0 || (v & 0x3) != 0) {
        return -1;
      }
      out[o++] = (byte) (v >>> 10);
      out[o++] = (byte) (v >>> 2);
    }
    return o;
  }

  /** The 6-bit value of a base64url character; -1 for anything else. */
  private static int sextet(char c) {
    return c < 128 ? VALUE[c] : -1;
  }
}
