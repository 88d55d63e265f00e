/** The replicated in-memory session store: embedded Infinispan clustered over JGroups TCP. */
package dev.tether.session.grid;
