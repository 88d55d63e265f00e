/**
 * Alert rules over the session analytics: evaluation off the data plane, the active list, webhook
 * notifications.
 */
package dev.tether.proxy.alert;
