/** Backend connections: pooled per event loop and per server, with their response handler. */
package dev.tether.proxy.backend;
