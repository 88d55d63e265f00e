/**
 * TLS for the balancer: certificates from PEM files, listener and backend contexts, reload and
 * session tickets.
 */
package dev.tether.proxy.tls;
