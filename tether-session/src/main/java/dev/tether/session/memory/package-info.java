/** The embedded in-memory session store, the default for a single instance and for tests. */
package dev.tether.session.memory;
