/**
 * The session store contract suite that every {@code SessionStore} passes, and the settable clock
 * it drives expiry with.
 */
package dev.tether.testing.session;
