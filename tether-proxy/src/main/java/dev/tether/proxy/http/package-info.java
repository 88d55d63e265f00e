/**
 * Request-side HTTP/1.1 framing safety for the proxy's frontend: a strict byte-level check of every
 * request line, header section and body framing in front of Netty's decoder, so that ambiguous or
 * malformed requests are answered with an error and never forwarded.
 */
package dev.tether.proxy.http;
