/** Issuing side of session JWTs: signing keys with rotation, the token issuer and its endpoints. */
package dev.tether.session.jwt;
