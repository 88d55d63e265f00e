/**
 * The demo shop and chat: a cluster of Jetty instances on tether-session, started, crashed and
 * restarted in-process.
 */
package dev.tether.demo;
