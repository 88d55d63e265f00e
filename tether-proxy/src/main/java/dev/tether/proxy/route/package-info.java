/** Maps a request's host and path to a pool: host match first, then the longest path prefix. */
package dev.tether.proxy.route;
