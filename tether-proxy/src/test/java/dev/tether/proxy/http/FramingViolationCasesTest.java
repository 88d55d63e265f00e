package dev.tether.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.tether.testing.leak.LeakDetection;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every framing case of the hardening issue, each sent as one read: the client gets the stated
 * status with {@code Connection: close}, the connection closes, and the handler standing for the
 * backend receives nothing. Cases cite RFC 9112 (§) or the http-desync-guardian corpus.
 */
@ExtendWith(LeakDetection.class)
public class FramingViolationCasesTest {

  private static final String POST = "POST /upload HTTP/1.1\r\nHost: example.test\r\n";
  private static final String AFTER_GOOD = "bad request after a good one";
  private static final String GET = "GET / HTTP/1.1\r\nHost: example.test\r\n";

  public static Stream<Arguments> cases() {
    return Stream.of(
        // §6.1/§6.3 Content-Length and Transfer-Encoding together
        bad(
            "CL then TE",
            POST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
            "both Content-Length and Transfer-Encoding"),
        bad(
            "TE then CL",
            POST + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
            400,
            "both Content-Length and Transfer-Encoding"),
        bad(
            "CL 0 and TE",
            POST + "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
            "both Content-Length and Transfer-Encoding"),
        // §6.3 duplicate or malformed Content-Length
        bad(
            "two CL same value",
            POST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
            400,
            "more than one Content-Length header"),
        bad(
            "two CL different values",
            POST + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            400,
            "more than one Content-Length header"),
        bad(
            "CL list 1000,1000",
            POST + "Content-Length: 1000,1000\r\n\r\n",
            400,
            "invalid Content-Length"),
        bad(
            "CL list with space",
            POST + "Content-Length: 5, 5\r\n\r\nhello",
            400,
            "invalid Content-Length"),
        bad(
            "CL 1000 1000",
            POST + "Content-Length: 1000 1000\r\n\r\n",
            400,
            "invalid Content-Length"),
        bad(
            "CL 1000.1000",
            POST + "Content-Length: 1000.1000\r\n\r\n",
            400,
            "invalid Content-Length"),
        bad("CL +5", POST + "Content-Length: +5\r\n\r\nhello", 400, "invalid Content-Length"),
        bad("CL -1", POST + "Content-Length: -1\r\n\r\n", 400, "invalid Content-Length"),
        bad("CL 0x10", POST + "Content-Length: 0x10\r\n\r\n", 400, "invalid Content-Length"),
        bad(
            "CL inner space",
            POST + "Content-Length:  12 3\r\n\r\n",
            400,
            "invalid Content-Length"),
        bad("CL empty", POST + "Content-Length:\r\n\r\n", 400, "invalid Content-Length"),
        bad(
            "CL 2^64 overflow",
            POST + "Content-Length: 18446744073709551616\r\n\r\n",
            400,
            "invalid Content-Length"),
        bad(
            "CL 2^63 overflow",
            POST + "Content-Length: 9223372036854775808\r\n\r\n",
            400,
            "invalid Content-Length"),
        bad(
            "CL name with trailing space",
            POST + "Content-Length : 5\r\n\r\nhello",
            400,
            "whitespace before the colon in header field"),
        // §6.3 / §6.1 Transfer-Encoding
        bad(
            "TE chunked, gzip",
            POST + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
            400,
            "final Transfer-Encoding is not chunked ("),
        bad(
            "TE gzip",
            POST + "Transfer-Encoding: gzip\r\n\r\n",
            400,
            "final Transfer-Encoding is not chunked ("),
        bad(
            "TE xchunked",
            POST + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
            400,
            "final Transfer-Encoding is not chunked ("),
        bad(
            "TE chunked, chunked",
            POST + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
            400,
            "Transfer-Encoding applies chunked more than once"),
        bad(
            "TE chunked on two lines",
            POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
            "Transfer-Encoding applies chunked more than once"),
        bad(
            "TE chunked, gzip, chunked",
            POST + "Transfer-Encoding: chunked, gzip, chunked\r\n\r\n0\r\n\r\n",
            400,
            "Transfer-Encoding applies chunked more than once"),
        bad(
            "TE empty element",
            POST + "Transfer-Encoding: chunked,\r\n\r\n0\r\n\r\n",
            400,
            "empty element in Transfer-Encoding"),
        bad(
            "TE empty value",
            POST + "Transfer-Encoding:\r\n\r\n",
            400,
            "empty element in Transfer-Encoding"),
        bad(
            "TE chunked with parameter",
            POST + "Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n",
            400,
            "chunked transfer coding with parameters"),
        bad(
            "TE chunked with a 0x11 byte",
            POST + "Transfer-Encoding: chunked\u0011\r\n\r\n0\r\n\r\n",
            400,
            "invalid character 0x11 in the value of header field"),
        bad(
            "TE chunked with obs-text",
            POST + "Transfer-Encoding: chunked\u00a0\r\n\r\n0\r\n\r\n",
            400,
            "malformed Transfer-Encoding"),
        bad(
            "TE on HTTP/1.0",
            "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
            "Transfer-Encoding on an HTTP/1.0 request"),
        bad(
            "TE foo, chunked (unknown coding)",
            POST + "Transfer-Encoding: foo, chunked\r\n\r\n0\r\n\r\n",
            501,
            "unsupported transfer coding"),
        bad(
            "TE gzip, chunked (unsupported coding)",
            POST + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            501,
            "unsupported transfer coding"),
        bad(
            "TE gzip and chunked on two lines",
            POST + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            501,
            "unsupported transfer coding"),
        // §7.1 chunk framing
        bad("chunk size 0x5", chunked("0x5\r\nhello\r\n0\r\n\r\n"), 400, "invalid character"),
        bad("chunk size -1", chunked("-1\r\n0\r\n\r\n"), 400, "invalid chunk size"),
        bad("chunk size zz", chunked("zz\r\nhello\r\n0\r\n\r\n"), 400, "invalid chunk size"),
        bad("chunk size empty", chunked("\r\nhello\r\n0\r\n\r\n"), 400, "invalid chunk size"),
        bad(
            "chunk size with leading space",
            chunked(" 5\r\nhello\r\n0\r\n\r\n"),
            400,
            "invalid chunk size"),
        bad(
            "chunk size with trailing space",
            chunked("5 \r\nhello\r\n0\r\n\r\n"),
            400,
            "whitespace after the chunk size"),
        bad(
            "chunk size with underscore",
            chunked("1_0\r\nhello\r\n0\r\n\r\n"),
            400,
            "invalid character"),
        bad(
            "chunk extension without name '5 ;'",
            chunked("5 ;\r\nhello\r\n0\r\n\r\n"),
            400,
            "chunk extension without a name"),
        bad(
            "chunk extension without value",
            chunked("5;a=\r\nhello\r\n0\r\n\r\n"),
            400,
            "chunk extension without a value after"),
        bad(
            "whitespace after a chunk extension value before ';'",
            chunked("5;a=b ;c=d\r\nhello\r\n0\r\n\r\n"),
            400,
            "whitespace after the chunk extension value 'b'"),
        bad(
            "whitespace after a chunk extension value at the line's end",
            chunked("5;a=b\t\r\nhello\r\n0\r\n\r\n"),
            400,
            "whitespace after the chunk extension value 'b'"),
        bad(
            "chunk extension unterminated quote",
            chunked("5;a=\"x\r\nhello\r\n0\r\n\r\n"),
            400,
            "unterminated quoted chunk extension value"),
        bad(
            "chunk size above 2^31-1",
            chunked("80000000\r\nhello\r\n0\r\n\r\n"),
            400,
            "chunk size larger than 2147483647 bytes"),
        bad(
            "chunk size 2^64",
            chunked("10000000000000000\r\nhello\r\n0\r\n\r\n"),
            400,
            "chunk size larger than 2147483647 bytes"),
        bad(
            "obs-text in a quoted chunk extension",
            chunked("5;a=\"caf\u00e9\"\r\nhello\r\n0\r\n\r\n"),
            400,
            "non-ASCII byte 0xE9 (obs-text) in a chunk extension value"),
        bad(
            "escaped obs-text in a quoted chunk extension",
            chunked("5;a=\"\\\u00ff\"\r\nhello\r\n0\r\n\r\n"),
            400,
            "non-ASCII byte 0xFF (obs-text) in a chunk extension value"),
        bad(
            "chunk data longer than size",
            chunked("5\r\nhello!\r\n0\r\n\r\n"),
            400,
            "missing CRLF after chunk data (got"),
        bad(
            "chunk data without CRLF",
            chunked("5\r\nhello0\r\n\r\n"),
            400,
            "missing CRLF after chunk data (got"),
        bad(
            "chunk data with LF only",
            chunked("5\r\nhello\n0\r\n\r\n"),
            400,
            "missing CRLF after chunk data (got 0x0A)"),
        bad(
            "chunk size line with bare LF",
            chunked("5\nhello\r\n0\r\n\r\n"),
            400,
            "bare LF line ending in the chunk-size line"),
        bad(
            "trailer obs-fold",
            chunked("0\r\nX-T: a\r\n b\r\n\r\n"),
            400,
            "obs-fold (a trailer line starting with whitespace) is not allowed"),
        bad(
            "trailer whitespace before colon",
            chunked("0\r\nX-T : a\r\n\r\n"),
            400,
            "whitespace before the colon in trailer field"),
        bad(
            "trailer NUL",
            chunked("0\r\nX-T: a\u0000\r\n\r\n"),
            400,
            "NUL byte in the trailer section"),
        // §5.1 whitespace before the colon
        bad(
            "TE with space before colon",
            POST + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
            400,
            "whitespace before the colon in header field"),
        bad(
            "Host with space before colon",
            "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
            400,
            "whitespace before the colon in header field"),
        bad(
            "tab before colon",
            GET + "X-A\t: a\r\n\r\n",
            400,
            "whitespace before the colon in header field"),
        // §5.2 obs-fold and whitespace after the request line
        bad(
            "obs-fold with space",
            GET + "X-A: a\r\n b\r\n\r\n",
            400,
            "obs-fold (a header line starting with whitespace) is not allowed"),
        bad(
            "obs-fold with tab",
            GET + "X-A: a\r\n\tb\r\n\r\n",
            400,
            "obs-fold (a header line starting with whitespace) is not allowed"),
        bad(
            "folded TE",
            POST + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
            400,
            "obs-fold (a header line starting with whitespace) is not allowed"),
        bad(
            "whitespace before the first header",
            "GET / HTTP/1.1\r\n Host: a\r\n\r\n",
            400,
            "whitespace between the request line and the first header field"),
        // §3.2 Host
        bad(
            "HTTP/1.1 without Host",
            "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n",
            400,
            "missing Host header (required in HTTP/1.1)"),
        bad("two Host headers", GET + "Host: other.test\r\n\r\n", 400, "more than one Host header"),
        bad(
            "two equal Host headers",
            GET + "Host: example.test\r\n\r\n",
            400,
            "more than one Host header"),
        bad(
            "two Host on HTTP/1.0",
            "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
            400,
            "more than one Host header"),
        bad("Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "invalid Host"),
        bad("Host with userinfo", "GET / HTTP/1.1\r\nHost: user@host\r\n\r\n", 400, "invalid Host"),
        bad("Host empty", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400, "invalid Host"),
        bad("Host with path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "invalid Host"),
        bad("Host list", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 400, "invalid Host"),
        bad("Host bad port", "GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n", 400, "invalid Host"),
        bad("Host two colons", "GET / HTTP/1.1\r\nHost: a:80:81\r\n\r\n", 400, "invalid Host"),
        bad("Host unclosed IPv6", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, "invalid Host"),
        // §2.2 / RFC 9110 §5.5: CR, LF, NUL, other CTLs
        bad(
            "bare CR in a value",
            GET + "X-A: a\rb\r\n\r\n",
            400,
            "bare CR (not followed by LF) in the header section"),
        bad(
            "bare CR line ending",
            GET + "X-A: a\r\r\n\r\n",
            400,
            "bare CR (not followed by LF) in the header section"),
        bad(
            "LF inside a value (bare LF line end)",
            GET + "X-A: a\nb: c\r\n\r\n",
            400,
            "bare LF line ending in the header section"),
        bad(
            "bare LF line endings",
            "GET / HTTP/1.1\nHost: a\n\n",
            400,
            "bare LF line ending in the request line"),
        bad(
            "bare LF ending the header section",
            GET + "\n",
            400,
            "bare LF line ending in the header section"),
        bad("NUL in a value", GET + "X-A: a\u0000b\r\n\r\n", 400, "NUL byte in the header section"),
        bad("NUL in a name", GET + "X\u0000A: a\r\n\r\n", 400, "NUL byte in the header section"),
        bad(
            "NUL in the request line",
            "GET /\u0000 HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            "NUL byte in the request line"),
        bad(
            "0x01 in a value",
            GET + "X-A: a\u0001\r\n\r\n",
            400,
            "invalid character 0x01 in the value of header field"),
        bad(
            "DEL in a value",
            GET + "X-A: a\u007f\r\n\r\n",
            400,
            "invalid character 0x7F in the value of header field"),
        // §5.1 field names
        bad(
            "space inside a name",
            GET + "X A: a\r\n\r\n",
            400,
            "whitespace before the colon in header field"),
        bad("non-token char in a name", GET + "X(A): a\r\n\r\n", 400, "invalid character"),
        bad(
            "non-ASCII name",
            GET + "X\u00e9: a\r\n\r\n",
            400,
            "invalid character 0xE9 in a header field name"),
        bad("empty name", GET + ": a\r\n\r\n", 400, "empty header field name"),
        bad("line without colon", GET + "X-A a\r\n\r\n", 400, "header line without a colon"),
        // §3 request line
        bad("bad method token", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid character"),
        bad(
            "method with NUL",
            "GET\u0000 / HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            "NUL byte in the request line"),
        bad(
            "leading space before method",
            " GET / HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            "invalid character 0x20 in the method"),
        bad(
            "leading control char (CVE-2026-50020)",
            "\u0001GET / HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            "invalid character 0x01 in the method"),
        bad(
            "too many empty lines first",
            "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            "more than 4 empty lines before the request line"),
        bad(
            "two spaces after method",
            "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            "empty request-target or more than one space after the method"),
        bad(
            "space inside target",
            "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            "malformed HTTP version"),
        bad(
            "non-ASCII in target",
            "GET /\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            "invalid character 0xE9 in the request-target"),
        bad("missing version", "GET /\r\nHost: a\r\n\r\n", 400, "request line has no HTTP version"),
        bad(
            "lower-case version",
            "GET / http/1.1\r\nHost: a\r\n\r\n",
            400,
            "malformed HTTP version"),
        bad(
            "version with trailing garbage",
            "GET / HTTP/1.1x\r\nHost: a\r\n\r\n",
            400,
            "malformed HTTP version"),
        bad(
            "relative target",
            "GET index.html HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            "invalid request-target"),
        bad(
            "asterisk target with GET",
            "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            "asterisk-form request-target is only allowed with OPTIONS"),
        bad("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, "HTTP/1.2 is not supported"),
        bad(
            "HTTP/2.0 prior knowledge preface",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            505,
            "HTTP/2.0 is not supported"),
        bad(
            "HTTP/0.9 version",
            "GET / HTTP/0.9\r\nHost: a\r\n\r\n",
            505,
            "HTTP/0.9 is not supported"),
        // limits
        bad(
            "request line over 8192 bytes",
            "GET /" + "a".repeat(8192) + " HTTP/1.1\r\nHost: a\r\n\r\n",
            414,
            "request line longer than 8192 bytes"),
        bad(
            "non-ASCII in the version",
            "GET / HTTP/1.1\u0085\r\nHost: a\r\n\r\n",
            400,
            "invalid character 0x85 in the HTTP version"),
        bad(
            "tab between method and target",
            "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            "invalid character 0x09 in the method"),
        bad(
            "request line over limit, no CRLF yet",
            "GET /" + "a".repeat(9000),
            414,
            "request line longer than 8192 bytes"),
        bad(
            "one header over 16384 bytes",
            GET + "X-A: " + "v".repeat(16384) + "\r\n\r\n",
            431,
            "header section larger than 16384 bytes"),
        bad(
            "header bytes over 16384 in many lines",
            GET
                + "X-A: "
                + "v".repeat(1000)
                + "\r\n"
                + ("X-B: " + "v".repeat(1000) + "\r\n").repeat(16)
                + "\r\n",
            431,
            "header section larger than 16384 bytes"),
        bad(
            "101 header fields",
            "GET / HTTP/1.1\r\nHost: a\r\n" + "X-A: 1\r\n".repeat(100) + "\r\n",
            431,
            "more than 100 header fields"),
        bad(
            "trailers under the limit alone, over it with the header section",
            POST
                + "X-A: "
                + "v".repeat(9000)
                + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: "
                + "v".repeat(8000)
                + "\r\n\r\n",
            431,
            "header and trailer sections together larger than 16384 bytes"),
        bad(
            "101 trailer fields",
            chunked("0\r\n" + "X-T: 1\r\n".repeat(101) + "\r\n"),
            431,
            "more than 100 trailer fields"),
        // a bad request pipelined after a good one in the same read: nothing is forwarded
        bad(
            AFTER_GOOD,
            GET + "\r\n" + "GET / HTTP/1.1\r\n\r\n",
            400,
            "missing Host header (required in HTTP/1.1)"));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("cases")
  void rejectsAndForwardsNothing(String name, String request, int status, String reason) {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send(request);
      harness.assertRejected(status);
      assertThat(harness.violations().getFirst().reason()).startsWith(reason);
    }
  }

  @ParameterizedTest(name = "{0} -> {2}, byte by byte")
  @MethodSource("cases")
  void rejectsWhenSentByteByByte(String name, String request, int status, String reason) {
    try (FramingHarness harness = new FramingHarness()) {
      for (int i = 0; i < request.length() && harness.channel().isOpen(); i++) {
        harness.send(request.substring(i, i + 1));
      }
      harness.assertRejectedInPieces(status, name.equals(AFTER_GOOD) ? 1 : 0);
    }
  }

  @Test
  void limitsChunkSizeLinesToTheRequestLineLimitWhenThatIsSmaller() {
    // the decoder behind the guard reads chunk-size lines under its request-line limit
    String extensions = ";ext=value".repeat(30);
    try (FramingHarness harness = new FramingHarness(new FramingLimits(256, 1024, 8, 1024))) {
      harness.send(chunked("5" + extensions + "\r\nhello\r\n0\r\n\r\n"));
      harness.assertRejected(400);
      assertThat(harness.violations().getFirst().reason())
          .isEqualTo("chunk-size line longer than 256 bytes");
    }
    try (FramingHarness harness = new FramingHarness()) {
      harness.send(chunked("5" + extensions + "\r\nhello\r\n0\r\n\r\n"));
      assertThat(harness.violations()).isEmpty();
      assertThat(harness.channel().isOpen()).isTrue();
    }
  }

  @Test
  void refusesAControlByteInTheRequestLineAsItArrivesNotAsALongLine() {
    // the 0x01 comes before the line reaches the 16-byte limit: 400 for it, never 414
    try (FramingHarness harness = new FramingHarness(new FramingLimits(16, 64, 2, 1))) {
      harness.send("GET /\u0001" + "a".repeat(40));
      harness.assertRejected(400);
      assertThat(harness.violations().getFirst().reason())
          .isEqualTo("invalid character 0x01 in the request-target");
    }
  }

  private static String chunked(String body) {
    return POST + "Transfer-Encoding: chunked\r\n\r\n" + body;
  }

  private static Arguments bad(String name, String request, int status, String reason) {
    return arguments(name, request, status, reason);
  }
}
