package dev.tether.demo.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;

/**
 * What one managed WebSocket was sent, frame by frame, kept in the room's store under the
 * connection's id so that whichever instance the connection resumes on knows what the client has.
 * Entries are message ids, or {@code ""} for a frame that was no room message (an error answer);
 * only the last {@value #KEEP} are kept, with the count of those dropped before them.
 *
 * @param user whose connection it is (a resume by anyone else starts afresh)
 * @param dropped frames sent before the first entry kept
 * @param entries the frames since, oldest first
 */
public record SentLog(String user, long dropped, List<String> entries) {

  /** How many entries are kept: more than the room's history, so every message in it is covered. */
  public static final int KEEP = 200;

  private static final ObjectMapper JSON = new ObjectMapper();

  public SentLog {
    requireNonNull(user, "user");
    entries = List.copyOf(entries);
  }

  /** A connection that has been sent nothing yet. */
  public static SentLog empty(String user) {
    return new SentLog(user, 0, List.of());
  }

  /** Frames sent so far. */
  public long total() {
    return dropped + entries.size();
  }

  /** This log with one more frame. */
  public SentLog append(String entry) {
    List<String> next = new ArrayList<>(entries.size() + 1);
    next.addAll(entries);
    next.add(requireNonNull(entry, "entry"));
    long d = dropped;
    while (next.size() > KEEP) {
      next.removeFirst();
      d++;
    }
    return new SentLog(user, d, next);
  }

  /**
   * The log of what the client really has when {@code delivered} frames reached it (the {@code
   * sent} count of {@code Tether-WebSocket-Resume}): later entries were recorded but never arrived.
   */
  public SentLog upTo(long delivered) {
    if (delivered >= total()) {
      return this;
    }
    int keep = (int) Math.max(0, delivered - dropped);
    return new SentLog(user, Math.min(dropped, delivered), entries.subList(0, keep));
  }

  /** The ids of the room messages among the entries, in order. */
  public SequencedSet<String> messageIds() {
    SequencedSet<String> ids = new LinkedHashSet<>();
    for (String e : entries) {
      if (!e.isEmpty()) {
        ids.add(e);
      }
    }
    return ids;
  }

  /** The store encoding (JSON). */
  public String encode() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a sent log", e);
    }
  }

  /** Reads what {@link #encode} wrote. */
  public static SentLog decode(String json) {
    try {
      return JSON.readValue(json, SentLog.class);
    } catch (IOException e) {
      throw new UncheckedIOException("not a sent log: " + e.getMessage(), e);
    }
  }
}
