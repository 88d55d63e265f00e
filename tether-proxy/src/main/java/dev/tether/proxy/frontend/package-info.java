/**
 * Client-side connection handling: one exchange at a time per connection, streamed with
 * back-pressure.
 */
package dev.tether.proxy.frontend;
