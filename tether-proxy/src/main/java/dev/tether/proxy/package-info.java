/** The balancer's data plane entry point: settings, start-up and graceful shutdown. */
package dev.tether.proxy;
