/**
 * The server model, immutable pool snapshots and the picker interface that every balancing
 * algorithm implements; pure Java, no Netty.
 */
package dev.tether.balance;
