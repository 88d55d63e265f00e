/**
 * Loopback network helpers for tests: free ports chosen by the kernel, a fault-injecting TCP proxy.
 */
package dev.tether.testing.net;
