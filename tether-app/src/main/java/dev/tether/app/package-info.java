/** The {@code tether} command line: run, check and demo. */
package dev.tether.app;
