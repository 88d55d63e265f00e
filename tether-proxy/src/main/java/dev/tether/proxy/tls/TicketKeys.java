package dev.tether.proxy.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.util.random.RandomGenerator;

/**
 * Session-ticket keys that rotate: the newest encrypts new tickets, the one before it still
 * decrypts tickets issued during the previous period (RFC 5077 section 5.5, as HAProxy's {@code
 * tls-ticket-keys}). Applies to the BoringSSL engine; the JDK engine keeps and rotates its own keys
 * ({@code jdk.tls.server.statelessKeyTimeout}).
 *
 * <p>Thread-safe: rotation happens on the control plane's timer and publishes a new array.
 */
final class TicketKeys {

  private final RandomGenerator random;
  private volatile OpenSslSessionTicketKey[] keys;

  TicketKeys(RandomGenerator random) {
    this.random = random;
    this.keys = new OpenSslSessionTicketKey[] {newKey()};
  }

  /** Makes a new current key, keeping the previous one for decryption only. */
  void rotate() {
    OpenSslSessionTicketKey[] old = keys;
    keys = new OpenSslSessionTicketKey[] {newKey(), old[0]};
  }

  /** The keys, newest first. */
  OpenSslSessionTicketKey[] keys() {
    return keys.clone();
  }

  /** Installs the keys on {@code ctx} when it is a BoringSSL context; no-op for the JDK's. */
  void applyTo(SslContext ctx) {
    if (ctx.sessionContext() instanceof OpenSslSessionContext s) {
      s.setTicketKeys(keys);
    }
  }

  private OpenSslSessionTicketKey newKey() {
    byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
    byte[] hmac = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
    byte[] aes = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
    random.nextBytes(name);
    random.nextBytes(hmac);
    random.nextBytes(aes);
    return new OpenSslSessionTicketKey(name, hmac, aes);
  }
}
