/** The HTTP/2 front end's protection: flood limits and their counters. */
package dev.tether.proxy.h2;
