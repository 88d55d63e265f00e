/**
 * The session store benchmark: saves, loads and near-cache request cycles of every store, measured
 * the same way, with Redis round trips counted.
 */
package dev.tether.session.bench;
