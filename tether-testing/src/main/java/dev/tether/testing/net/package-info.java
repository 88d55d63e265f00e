/** Loopback network helpers for tests: free ports chosen by the kernel. */
package dev.tether.testing.net;
