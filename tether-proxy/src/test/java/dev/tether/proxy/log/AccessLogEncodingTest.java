package dev.tether.proxy.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.proxy.log.AccessLogger.Entry;
import dev.tether.testing.time.SettableClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The bytes of a line, both formats, against what the previous string-built log printed. */
class AccessLogEncodingTest {

  private static final Clock AT =
      Clock.fixed(Instant.parse("2026-12-03T06:41:54.007Z"), ZoneOffset.UTC);

  private static String plainLine(Entry e, Clock clock) {
    LineBytes out = new LineBytes(8);
    LineEncoder.plainLine(e, new Timestamps(clock), out);
    return new String(out.array(), 0, out.length(), StandardCharsets.UTF_8);
  }

  private static String jsonLine(Entry e) {
    LineBytes out = new LineBytes(8);
    LineEncoder.jsonLine(e, new Timestamps(AT), out);
    return new String(out.array(), 0, out.length(), StandardCharsets.UTF_8);
  }

  @Test
  void plainIsTheFormerMessageAfterTheFormerTimestamp() {
    Entry e =
        new Entry(
            "203.0.113.7", "GET", "/cart?x=1", "web", "s2", 200, 14, 1500, null, "cookie/hit");
    assertThat(plainLine(e, AT))
        .isEqualTo(
            "2026-12-03T06:41:54.007Z 203.0.113.7 GET /cart?x=1 pool=web "
                + "server=s2 status=200 bytes=14 ms=1.500 affinity=cookie/hit\n");
  }

  @Test
  void unknownFieldsAreDashesAndANoteIsQuotedWithItsQuotesReplaced() {
    Entry e = new Entry(null, null, null, null, null, 408, 0, 0, "said \"bye\"");
    assertThat(AccessLogger.plain(e))
        .isEqualTo("- - - pool=- server=- status=408 bytes=0 ms=0.000 note=\"said 'bye'\"");
  }

  @Test
  void millisecondsHaveThreeDecimalsAsPercentPointThreeF() {
    for (long micros : new long[] {0, 1, 999, 1000, 1001, 12_345, 987_654_321, 987_654_321_012L}) {
      Entry e = new Entry("c", "GET", "/", "p", "s", 200, 0, micros, null);
      assertThat(AccessLogger.plain(e))
          .endsWith(" ms=" + String.format(java.util.Locale.ROOT, "%.3f", micros / 1000.0));
    }
  }

  @Test
  void numbersAreWrittenWholeIncludingTheExtremes() {
    Entry e = new Entry("c", "GET", "/", "p", "s", 599, Long.MAX_VALUE, Long.MIN_VALUE + 1, null);
    assertThat(AccessLogger.json(e))
        .contains(
            "\"status\":599,\"bytes\":"
                + Long.MAX_VALUE
                + ",\"duration_us\":"
                + (Long.MIN_VALUE + 1)
                + "}");
    assertThat(
            AccessLogger.plain(new Entry("c", "GET", "/", "p", "s", 200, Long.MIN_VALUE, 0, null)))
        .contains(" bytes=" + Long.MIN_VALUE + " ");
  }

  @Test
  void plainWritesNonAsciiAsUtf8() {
    Entry e =
        new Entry("::1", "GET", "/caf\u00e9/\u20ac/\uD83D\uDE00", "web", "s1", 200, 1, 1, null);
    String line = plainLine(e, AT);
    assertThat(line).contains(" /caf\u00e9/\u20ac/\uD83D\uDE00 ");
    LineBytes out = new LineBytes(8);
    LineEncoder.plain(e, out);
    assertThat(java.util.Arrays.copyOf(out.array(), out.length()))
        .isEqualTo(AccessLogger.plain(e).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void jsonIsValidAndEscapesQuotesControlCharactersAndNonAscii() throws Exception {
    String path = "/a\"b\\c\u0001\t\n\u007f/caf\u00e9/\uD83D\uDE00";
    Entry e =
        new Entry(
            "h\u00f6st",
            "GET",
            path,
            "web",
            null,
            502,
            0,
            1500,
            "reset \"early\"\r\n",
            "cookie/new");
    String line = jsonLine(e);
    assertThat(line).endsWith("}\n");
    String object = line.substring(0, line.length() - 1);
    assertThat(object.chars().allMatch(c -> c >= 0x20 && c < 0x7f))
        .as("printable ASCII only: " + object)
        .isTrue();
    assertThat(object).contains("\\\"b\\\\c\\u0001\\u0009\\u000a\\u007f/caf\\u00e9/\\ud83d\\ude00");
    JsonNode n = new ObjectMapper().readTree(object);
    assertThat(n.get("time").asText()).isEqualTo("2026-12-03T06:41:54.007Z");
    assertThat(n.get("client").asText()).isEqualTo("h\u00f6st");
    assertThat(n.get("path").asText()).isEqualTo(path);
    assertThat(n.get("server").isNull()).isTrue();
    assertThat(n.get("status").asInt()).isEqualTo(502);
    assertThat(n.get("duration_us").asLong()).isEqualTo(1500);
    assertThat(n.get("note").asText()).isEqualTo("reset \"early\"\r\n");
    assertThat(n.get("affinity").asText()).isEqualTo("cookie/new");
  }

  @Test
  void jsonKeepsTheFormerFieldsInTheirOrderAfterTheTime() {
    Entry e = new Entry("203.0.113.7", "GET", "/", "web", "s1", 200, 14, 10, null);
    assertThat(jsonLine(e))
        .isEqualTo(
            "{\"time\":\"2026-12-03T06:41:54.007Z\",\"client\":\"203.0.113.7\","
                + "\"method\":\"GET\",\"path\":\"/\",\"pool\":\"web\",\"server\":\"s1\",\"status\":200,\"bytes\":14,"
                + "\"duration_us\":10}\n");
    assertThat(AccessLogger.json(e))
        .isEqualTo(
            jsonLine(e).replace("\"time\":\"2026-12-03T06:41:54.007Z\",", "").replace("\n", ""));
  }

  @Test
  void theTimeCarriesTheZoneOffsetAndFollowsTheClockAcrossSeconds() {
    SettableClock clock =
        new SettableClock(Instant.parse("2026-03-29T00:59:59.999Z"), ZoneId.of("Europe/Berlin"));
    Timestamps t = new Timestamps(clock);
    LineBytes out = new LineBytes(8);
    t.append(out.ascii('|'));
    clock.advance(Duration.ofMillis(1)); // 02:00 CET becomes 03:00 CEST
    t.append(out.ascii('|'));
    clock.set(Instant.parse("1999-12-31T23:00:00.000Z"));
    t.append(out.ascii('|'));
    assertThat(new String(out.array(), 0, out.length(), StandardCharsets.US_ASCII))
        .isEqualTo(
            "|2026-03-29T01:59:59.999+01:00|2026-03-29T03:00:00.000+02:00|2000-01-01T00:00:00.000+01:00");
  }
}
