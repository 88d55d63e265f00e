package dev.tether.proxy.http;

import static dev.tether.proxy.http.FramingException.badRequest;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a request's Transfer-Encoding list (all field lines joined with commas).
 *
 * <p>Design note. RFC 9112 §6.3: if {@code chunked} is not the final coding of a request, its
 * length cannot be determined, so 400 and close. §6.1: a coding the server does not understand
 * SHOULD get 501. We forward only {@code chunked}; so the list must end with exactly one {@code
 * chunked} without parameters (else 400), and any other coding before it is 501 since the framing
 * is clear but the coding unsupported. nginx answers 501 for anything but {@code chunked}; HAProxy
 * 400 for {@code gzip}, {@code chunked, gzip}, {@code chunked, chunked}. An element that is not
 * {@code token *(OWS ";" OWS parameter)}, or empty, is 400.
 */
final class TransferCodings {

  private static final String CHUNKED = "chunked";

  private TransferCodings() {}

  static void check(String list) throws FramingException {
    List<String> codings = new ArrayList<>(2);
    boolean chunkedHasParameters = false;
    for (String element : list.split(",", -1)) {
      String trimmed = trimOws(element);
      if (trimmed.isEmpty()) {
        throw badRequest("empty element in Transfer-Encoding");
      }
      int semicolon = trimmed.indexOf(';');
      String name = trimOws(semicolon < 0 ? trimmed : trimmed.substring(0, semicolon));
      if (!HttpSyntax.isToken(name)) {
        throw badRequest(
            "malformed Transfer-Encoding '" + RequestHead.printable(list) + "'; allowed: chunked");
      }
      String coding = name.toLowerCase(Locale.ROOT);
      if (coding.equals(CHUNKED) && semicolon >= 0) {
        chunkedHasParameters = true;
      }
      codings.add(coding);
    }
    int chunkedCount = 0;
    for (String coding : codings) {
      if (coding.equals(CHUNKED)) {
        chunkedCount++;
      }
    }
    if (chunkedCount > 1) {
      throw badRequest("Transfer-Encoding applies chunked more than once");
    }
    if (!codings.getLast().equals(CHUNKED)) {
      throw badRequest(
          "final Transfer-Encoding is not chunked ('"
              + RequestHead.printable(list)
              + "'); the body length cannot be determined");
    }
    if (chunkedHasParameters) {
      throw badRequest("chunked transfer coding with parameters");
    }
    if (codings.size() > 1) {
      throw new FramingException(
          HttpResponseStatus.NOT_IMPLEMENTED,
          "unsupported transfer coding '"
              + RequestHead.printable(codings.getFirst())
              + "'; only chunked is supported");
    }
  }

  /** Trims SP and HTAB only (OWS); other characters are never whitespace in HTTP. */
  private static String trimOws(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && HttpSyntax.isWhitespace(s.charAt(from))) {
      from++;
    }
    while (to > from && HttpSyntax.isWhitespace(s.charAt(to - 1))) {
      to--;
    }
    return s.substring(from, to);
  }
}
