package dev.tether.bench.load;

/**
 * One bad reply kept for the report.
 *
 * @param atMillis when it came, from the start of the run
 * @param user the virtual user
 * @param request the request, e.g. {@code GET /api/cart}
 * @param expected what the user expected
 * @param got what came back
 * @param instance the instance that answered ({@code X-Tether-Instance}), or {@code null}
 */
public record Sample(
    long atMillis, int user, String request, String expected, String got, String instance) {}
