/**
 * Passive health checks (outlier detection): ejecting servers that fail real requests, and
 * panic-mode reporting.
 */
package dev.tether.proxy.outlier;
