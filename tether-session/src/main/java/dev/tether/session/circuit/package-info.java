/**
 * Failing fast while a session store is down: a circuit breaker, the store decorator that applies
 * it, and the exception requests get meanwhile.
 */
package dev.tether.session.circuit;
