/**
 * Turning attribute values into stored bytes and back: JSON by default, Java serialisation only
 * behind an allow-list, compression over a threshold and AES-GCM encryption at rest with key ids.
 */
package dev.tether.session.codec;
