package dev.tether.demo.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One chat message as the buses carry it.
 *
 * @param id unique and ordered by time: {@code <epoch millis, 13 digits>-<origin>-<sequence>}
 * @param user who wrote it
 * @param text what they wrote, 1..{@value #MAX_TEXT} characters
 * @param origin the instance the sender was connected to
 * @param at when it was sent, epoch milliseconds
 */
public record ChatMessage(String id, String user, String text, String origin, long at) {

  /** The longest message text accepted. */
  public static final int MAX_TEXT = 500;

  private static final ObjectMapper JSON = new ObjectMapper();

  public ChatMessage {
    requireNonNull(id, "id");
    requireNonNull(user, "user");
    requireNonNull(text, "text");
    requireNonNull(origin, "origin");
  }

  /** A new message from {@code user} on instance {@code origin}, numbered {@code seq} there. */
  public static ChatMessage create(String user, String text, String origin, long seq, long now) {
    return new ChatMessage(
        String.format("%013d-%s-%06d", now, origin, seq), user, text, origin, now);
  }

  /** The bus encoding (JSON with every field). */
  public String encode() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a chat message", e);
    }
  }

  /** Reads what {@link #encode} wrote. */
  public static ChatMessage decode(String json) {
    try {
      return JSON.readValue(json, ChatMessage.class);
    } catch (IOException e) {
      throw new UncheckedIOException("not a chat message: " + e.getMessage(), e);
    }
  }
}
