/** Byte tunnels between a client and a backend after a protocol upgrade (WebSocket). */
package dev.tether.proxy.tunnel;
