/**
 * OpenTelemetry spans for session store operations; needs {@code
 * io.opentelemetry:opentelemetry-api} on the class path, which {@code tether-session} declares
 * optional.
 */
package dev.tether.session.trace;
