/** The {@code cookie} store: whole sessions sealed with AES-256-GCM in the client's cookies. */
package dev.tether.session.cookie;
