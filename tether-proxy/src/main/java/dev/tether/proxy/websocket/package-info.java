/**
 * Managed WebSocket connections: Tether frames both sides, relays messages, keeps its own pings,
 * and moves a client's connection to another server when its own server's connection is lost.
 */
package dev.tether.proxy.websocket;
