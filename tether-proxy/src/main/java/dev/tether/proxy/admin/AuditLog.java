package dev.tether.proxy.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's audit trail: one JSON line per state-changing call — when, who (client address
 * and the presented token's fingerprint, never the token), what (method, path, request body) and
 * the answer's status. Written to {@code admin.audit-log} when set (appended and flushed per line),
 * otherwise to the {@code dev.tether.audit} logger. Thread-safe.
 */
final class AuditLog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("dev.tether.audit");

  private final Clock clock;
  private final Writer file;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param path the file to append to, or {@code null} for the logger
   * @throws UncheckedIOException when the file cannot be opened
   */
  AuditLog(Path path, Clock clock) {
    this.clock = clock;
    try {
      this.file =
          path == null
              ? null
              : Files.newBufferedWriter(
                  path,
                  StandardCharsets.UTF_8,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.APPEND,
                  StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open the admin audit log " + path + ": " + e.getMessage(), e);
    }
  }

  /** Records one call. {@code body} is the request body as JSON or text, or {@code null}. */
  void record(String client, String tokenId, String method, String path, Object body, int status) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("time", clock.instant().toString());
    line.put("client", client);
    line.put("token", tokenId);
    line.put("method", method);
    line.put("path", path);
    if (body != null) {
      line.put("body", body);
    }
    line.put("status", status);
    String text;
    try {
      text = json.writeValueAsString(line);
    } catch (IOException e) {
      text = line.toString();
    }
    if (file == null) {
      log.info("{}", text);
      return;
    }
    synchronized (this) {
      try {
        file.write(text);
        file.write('\n');
        file.flush();
      } catch (IOException e) {
        log.error("admin audit log write failed ({}); the line was: {}", e.getMessage(), text);
      }
    }
  }

  @Override
  public synchronized void close() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        log.warn("closing the admin audit log: {}", e.getMessage());
      }
    }
  }
}
