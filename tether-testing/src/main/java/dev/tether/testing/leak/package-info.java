/** Makes Netty's paranoid leak detector fail tests instead of only logging. */
package dev.tether.testing.leak;
