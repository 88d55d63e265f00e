package dev.tether.session.servlet;

import dev.tether.session.ActiveSession;
import dev.tether.session.codec.AttributeCodec;
import dev.tether.session.spi.SessionRecord;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A read-only {@link HttpSession} over the stored record of a session that expired, for {@code
 * sessionDestroyed} and the unbinding that follows on the instance whose sweep claimed it. Reading
 * works (values are decoded on first read); anything that would change the session throws {@link
 * IllegalStateException}, because the session is already gone from the store.
 */
final class ExpiredHttpSession implements HttpSession {

  private final SessionRecord record;
  private final String digest;
  private final AttributeCodec codec;
  private final ServletContext context;
  private final Map<String, Object> decoded = new HashMap<>();

  ExpiredHttpSession(
      SessionRecord record, String digest, AttributeCodec codec, ServletContext context) {
    this.record = record;
    this.digest = digest;
    this.codec = codec;
    this.context = context;
  }

  /** The log-safe digest of the id. */
  String digest() {
    return digest;
  }

  /** The application's attribute names, sorted (reserved names excluded). */
  List<String> names() {
    TreeSet<String> names = new TreeSet<>(record.attributes().keySet());
    names.removeIf(n -> n.startsWith(ActiveSession.RESERVED_PREFIX));
    return List.copyOf(names);
  }

  @Override
  public long getCreationTime() {
    return record.createdAt().toEpochMilli();
  }

  @Override
  public String getId() {
    return record.id();
  }

  @Override
  public long getLastAccessedTime() {
    return record.lastAccessedAt().toEpochMilli();
  }

  @Override
  public ServletContext getServletContext() {
    return context;
  }

  @Override
  public void setMaxInactiveInterval(int interval) {
    throw readOnly();
  }

  @Override
  public int getMaxInactiveInterval() {
    return (int) record.idleTimeout().toSeconds();
  }

  @Override
  public synchronized Object getAttribute(String name) {
    if (name == null || name.startsWith(ActiveSession.RESERVED_PREFIX)) {
      return null;
    }
    if (!decoded.containsKey(name)) {
      byte[] bytes = record.attributeBytes(name);
      decoded.put(name, bytes == null ? null : codec.decode(name, bytes));
    }
    return decoded.get(name);
  }

  @Override
  public Enumeration<String> getAttributeNames() {
    return Collections.enumeration(names());
  }

  @Override
  public void setAttribute(String name, Object value) {
    throw readOnly();
  }

  @Override
  public void removeAttribute(String name) {
    throw readOnly();
  }

  @Override
  public void invalidate() {
    throw readOnly();
  }

  @Override
  public boolean isNew() {
    return false;
  }

  private static IllegalStateException readOnly() {
    return new IllegalStateException(
        "the session has expired; its view in sessionDestroyed is read-only");
  }
}
