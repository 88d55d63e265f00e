/**
 * One demo instance: a Jetty 12 server with the shop pages, the JSON API and the chat socket behind
 * the session filter.
 */
package dev.tether.demo.web;
