/**
 * The session library's application-facing API: the manager that applies timeouts, id rotation,
 * strict mode and CSRF tokens over a store, the per-request session handle, ids and events.
 */
package dev.tether.session;
