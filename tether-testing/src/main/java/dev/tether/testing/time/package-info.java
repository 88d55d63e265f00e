/** The settable clock tests drive time-dependent code with, so nothing sleeps. */
package dev.tether.testing.time;
