/** Choice of Netty transport (epoll, io_uring, NIO) and its event loops. */
package dev.tether.proxy.transport;
