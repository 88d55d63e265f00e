/** tether-session for any Servlet 6 container from jars and a properties file, with no code. */
package dev.tether.session.dropin;
