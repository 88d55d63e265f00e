/** Changes made to a running balancer through the admin API, and how they survive a reload. */
package dev.tether.proxy.runtime;
