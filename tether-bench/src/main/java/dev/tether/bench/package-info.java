/** The {@code tether bench} command line: the load generator and the session store benchmark. */
package dev.tether.bench;
