/**
 * The admin API on its own port: pools and servers as JSON, drain/enable/disable, reload,
 * Prometheus metrics, and the dashboard page.
 */
package dev.tether.proxy.admin;
