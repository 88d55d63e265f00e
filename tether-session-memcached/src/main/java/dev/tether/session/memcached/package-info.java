/** The Memcached session store: CAS-versioned sessions on a primary and a backup node of a ring. */
package dev.tether.session.memcached;
