/**
 * Jakarta Servlet integration: a filter that backs {@code HttpSession} with a {@code
 * SessionManager} (session listener events, async requests and client binding included), writes the
 * session before the response commits and sets a hardened cookie, and a CSRF filter.
 */
package dev.tether.session.servlet;
