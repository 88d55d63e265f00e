/**
 * Real HTTP backends on port 0 for integration tests: hello, echo, large bodies, slow, WebSocket
 * echo.
 */
package dev.tether.testing.backend;
