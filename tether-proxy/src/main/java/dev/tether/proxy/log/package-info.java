/** The access log: one line per request, plain or JSON. */
package dev.tether.proxy.log;
