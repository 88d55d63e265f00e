/**
 * Session analytics of the balancer: traffic and affinity figures per pool and server, instance
 * scrapes, the sessions report.
 */
package dev.tether.proxy.analytics;
