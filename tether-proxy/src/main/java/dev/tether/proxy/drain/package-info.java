/**
 * Draining a server until it is done: its live sessions, in-flight requests and open tunnels gone.
 */
package dev.tether.proxy.drain;
