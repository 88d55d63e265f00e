/**
 * The control plane: {@link dev.tether.proxy.control.ControlPlane} starts the data plane ({@code
 * TetherProxy}) for a configuration, builds its pools and affinity policies ({@code PoolBuilder}),
 * runs the health checks, outlier detection, drains, alerts and the admin API, and installs a new
 * configuration on reload, keeping what did not change.
 */
package dev.tether.proxy.control;
