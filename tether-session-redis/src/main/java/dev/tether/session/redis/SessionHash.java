package dev.tether.session.redis;

import dev.tether.session.spi.AttributeValue;
import dev.tether.session.spi.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A session as Redis hash fields. Meta fields: {@code v} version, {@code c} created, {@code a} last
 * access, {@code i} idle timeout, {@code x} absolute timeout, {@code e} expiry (all decimal
 * milliseconds), {@code p} principal (absent when anonymous). Per attribute {@code b:<name>} its
 * bytes and {@code w:<name>} the version that wrote it. The scripts read and write the same names.
 */
final class SessionHash {

  private SessionHash() {}

  /** The hash fields of {@code r} as alternating field and value. */
  static List<byte[]> fields(SessionRecord r) {
    List<byte[]> out = new ArrayList<>(12 + 4 * r.attributes().size());
    put(out, "v", r.version());
    put(out, "c", r.createdAt().toEpochMilli());
    put(out, "a", r.lastAccessedAt().toEpochMilli());
    put(out, "i", r.idleTimeout().toMillis());
    put(out, "x", r.absoluteTimeout().toMillis());
    put(out, "e", r.expiresAt().toEpochMilli());
    if (r.principal() != null) {
      out.add(BucketKeys.bytes("p"));
      out.add(BucketKeys.bytes(r.principal()));
    }
    r.attributes()
        .forEach(
            (name, value) -> {
              out.add(BucketKeys.bytes("b:" + name));
              out.add(value.bytes());
              put(out, "w:" + name, value.version());
            });
    return out;
  }

  /** The record stored in a hash given as alternating field and value (a script's HGETALL). */
  static SessionRecord fromFlat(String id, List<?> flat) {
    Map<String, byte[]> fields = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      fields.put(text((byte[]) flat.get(i)), (byte[]) flat.get(i + 1));
    }
    return fromFields(id, fields);
  }

  /** The record stored in a hash given as field name to raw value. */
  static SessionRecord fromFields(String id, Map<String, byte[]> fields) {
    Map<String, byte[]> values = new HashMap<>();
    Map<String, Long> versions = new HashMap<>();
    fields.forEach(
        (f, v) -> {
          if (f.startsWith("b:")) {
            values.put(f.substring(2), v);
          } else if (f.startsWith("w:")) {
            versions.put(f.substring(2), Long.parseLong(text(v)));
          }
        });
    Map<String, AttributeValue> attributes = new HashMap<>();
    values.forEach(
        (name, bytes) -> {
          Long version = versions.get(name);
          if (version == null) {
            throw new IllegalStateException(
                "corrupt session hash: attribute '" + name + "' has no version field");
          }
          attributes.put(name, new AttributeValue(bytes, version));
        });
    byte[] principal = fields.get("p");
    return new SessionRecord(
        id,
        Instant.ofEpochMilli(number(fields, "c")),
        Instant.ofEpochMilli(number(fields, "a")),
        Duration.ofMillis(number(fields, "i")),
        Duration.ofMillis(number(fields, "x")),
        number(fields, "v"),
        principal == null ? null : text(principal),
        attributes);
  }

  /** Whether a stored expiry (decimal ms) is reached at {@code nowMillis}. */
  static boolean isExpired(byte[] expires, long nowMillis) {
    return Long.parseLong(text(expires)) <= nowMillis;
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static long number(Map<String, byte[]> fields, String name) {
    byte[] v = fields.get(name);
    if (v == null) {
      throw new IllegalStateException("corrupt session hash: meta field '" + name + "' missing");
    }
    return Long.parseLong(text(v));
  }

  private static void put(List<byte[]> out, String field, long value) {
    out.add(BucketKeys.bytes(field));
    out.add(BucketKeys.bytes(Long.toString(value)));
  }
}
