/**
 * {@code tether bench idle}: opens many idle kept-alive connections and reports the balancer's
 * memory per connection.
 */
package dev.tether.bench.idle;
