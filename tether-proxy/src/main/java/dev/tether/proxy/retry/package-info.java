/**
 * Which failed requests may be sent to another server, and the budget that keeps retries from
 * storming.
 */
package dev.tether.proxy.retry;
