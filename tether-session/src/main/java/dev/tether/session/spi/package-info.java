/**
 * The store SPI: the immutable stored form of a session, the delta a request writes back, and the
 * small interface every session store (memory, file, Redis, JDBC, grid) implements.
 */
package dev.tether.session.spi;
