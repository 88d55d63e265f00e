/**
 * The downstream side: a servlet filter that authorises requests from a session JWT's claims alone.
 */
package dev.tether.session.jwt.verify;
