package dev.tether.proxy.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use the admin API and what is recorded of it: the bearer token (compared in constant
 * time), the lock-out of addresses guessing it ({@link AuthThrottle}), the CSRF token a browser's
 * state-changing call must carry, and the audit line of every state-changing call ({@link
 * AuditLog}). The routes behind it know nothing of this. Thread-safe.
 */
final class AdminGate implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  static final String CSRF_HEADER = "X-Tether-CSRF";
  static final String CSRF_PATH = "/api/csrf";
  private static final int MAX_AUDITED_BODY = 4096;
  private static final int MAX_BODY = 1 << 20;

  /** Sends a JSON answer (the admin server's way). */
  @FunctionalInterface
  interface Sender {
    void send(HttpExchange ex, int status, Object body) throws IOException;
  }

  /** What a request does once it is let in. */
  @FunctionalInterface
  interface Route {
    void run(HttpExchange ex) throws IOException;
  }

  private final byte[] token;

  /** The token's fingerprint for the audit log: who acted, without the secret. */
  private final String tokenId;

  private final AuthThrottle throttle = new AuthThrottle(System::nanoTime);
  private final String csrf = newCsrfToken();
  private final AuditLog audit;
  private final ObjectMapper json;

  /**
   * @param token the bearer token's bytes, or {@code null} when none is configured
   * @param auditLog the audit file, or {@code null} for the logger
   * @throws java.io.UncheckedIOException when the audit file cannot be opened
   */
  AdminGate(byte[] token, Path auditLog, ObjectMapper json) {
    this.token = token;
    this.tokenId = token == null ? "none" : fingerprint(token);
    this.audit = new AuditLog(auditLog, Clock.systemUTC());
    this.json = json;
  }

  /**
   * Lets {@code ex} in (answering it with 429 or 401 when it may not come in), then runs {@code
   * route}: reads directly; state-changing calls after the CSRF check, with their body read and
   * their outcome audited. {@code GET /api/csrf} is answered here.
   */
  void serve(HttpExchange ex, Sender sender, Route route) throws IOException {
    String client = ex.getRemoteAddress().getAddress().getHostAddress();
    long wait = throttle.waitSeconds(client);
    if (wait > 0) {
      ex.getResponseHeaders().set("Retry-After", Long.toString(wait));
      sender.send(
          ex,
          429,
          Map.of(
              "error",
              "too many requests with a wrong token from "
                  + client
                  + "; try again in "
                  + wait
                  + " s"));
      return;
    }
    if (!authorized(ex)) {
      // only a presented token is a guess; a request without one (a browser, a probe) guesses
      // nothing
      int failures =
          ex.getRequestHeaders().containsKey("Authorization") ? throttle.failed(client) : 0;
      if (failures > 0
          && (failures <= AuthThrottle.FREE_FAILURES || Integer.bitCount(failures) == 1)) {
        log.warn(
            "admin API: {} {} from {} without a valid token ({} in a row{})",
            ex.getRequestMethod(),
            ex.getRequestURI().getPath(),
            client,
            failures,
            failures > AuthThrottle.FREE_FAILURES ? "; now locked out" : "");
      }
      ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"tether-admin\"");
      sender.send(
          ex, 401, Map.of("error", "a valid 'Authorization: Bearer <token>' header is required"));
      return;
    }
    if (token != null) {
      throttle.succeeded(client);
    }
    String method = ex.getRequestMethod();
    if (!changesState(method)) {
      if (ex.getRequestURI().getPath().equals(CSRF_PATH)) {
        sender.send(ex, 200, Map.of("token", csrf, "header", CSRF_HEADER));
      } else {
        route.run(ex);
      }
      return;
    }
    String target = ex.getRequestURI().toString();
    // a browser's state-changing call must come from the dashboard page, which read the CSRF token
    boolean browser =
        ex.getRequestHeaders().containsKey("Origin")
            || ex.getRequestHeaders().containsKey("Sec-Fetch-Site");
    String presented = ex.getRequestHeaders().getFirst(CSRF_HEADER);
    if (browser
        && (presented == null
            || !MessageDigest.isEqual(
                csrf.getBytes(StandardCharsets.US_ASCII),
                presented.trim().getBytes(StandardCharsets.US_ASCII)))) {
      sender.send(
          ex,
          403,
          Map.of(
              "error",
              "a browser's "
                  + method
                  + " needs the "
                  + CSRF_HEADER
                  + " header the dashboard "
                  + "reads from GET "
                  + CSRF_PATH
                  + "; scripts that send no Origin need none"));
      audit.record(client, tokenId, method, target, null, 403);
      return;
    }
    byte[] body = ex.getRequestBody().readNBytes(MAX_BODY + 1);
    if (body.length > MAX_BODY) {
      sender.send(
          ex, 413, Map.of("error", "the request body is larger than " + (MAX_BODY >> 10) + " KiB"));
      audit.record(client, tokenId, method, target, null, 413);
      return;
    }
    ex.setStreams(new ByteArrayInputStream(body), null);
    try {
      route.run(ex);
    } finally {
      int status = ex.getResponseCode();
      audit.record(client, tokenId, method, target, auditedBody(body), status < 0 ? 500 : status);
    }
  }

  private boolean authorized(HttpExchange ex) {
    if (token == null) {
      return true;
    }
    String h = ex.getRequestHeaders().getFirst("Authorization");
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(token, h.substring(7).trim().getBytes(StandardCharsets.UTF_8));
  }

  private static boolean changesState(String method) {
    return !(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
  }

  /** The request body as the audit line shows it: JSON as JSON, else text, cut at 4 KiB. */
  private Object auditedBody(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    if (body.length <= MAX_AUDITED_BODY) {
      try {
        return json.readTree(body);
      } catch (IOException notJson) {
        // fall through to text
      }
    }
    String text =
        new String(body, 0, Math.min(body.length, MAX_AUDITED_BODY), StandardCharsets.UTF_8);
    return body.length > MAX_AUDITED_BODY ? text + "… (cut)" : text;
  }

  private static String newCsrfToken() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String fingerprint(byte[] secret) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(secret);
      return "sha256:" + HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    audit.close();
  }
}
