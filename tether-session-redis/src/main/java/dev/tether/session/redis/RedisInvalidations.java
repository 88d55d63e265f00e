package dev.tether.session.redis;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.Invalidations;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Near-cache invalidations over Redis publish/subscribe: one channel per key prefix ({@code
 * <prefix>invalidate}), messages {@code <origin> <session id>} where the origin is random per store
 * instance, so a subscriber skips its own. {@code PUBLISH} returns once Redis has queued the
 * message to every subscriber's connection; delivery then takes one network hop. The subscription
 * has a connection of its own (a subscribed connection takes no other commands); when it drops, the
 * subscriber is told ({@code onLost}) both then and when Lettuce has subscribed again, since
 * messages published in between are gone, and {@link #live} is false meanwhile.
 */
final class RedisInvalidations implements Invalidations {

  private static final Logger log = LoggerFactory.getLogger(RedisInvalidations.class);

  private final RedisLink link;
  private final byte[] channel;
  private final String origin;
  private volatile boolean live = true;

  RedisInvalidations(RedisLink link, String keyPrefix) {
    this.link = requireNonNull(link, "link");
    this.channel = (keyPrefix + "invalidate").getBytes(StandardCharsets.UTF_8);
    byte[] r = new byte[12];
    new SecureRandom().nextBytes(r);
    this.origin = Base64.getUrlEncoder().withoutPadding().encodeToString(r);
  }

  @Override
  public void publish(String id) {
    link.sync().publish(channel, (origin + ' ' + id).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean live() {
    return live;
  }

  @Override
  public AutoCloseable subscribe(Consumer<String> onId, Runnable onLost) {
    requireNonNull(onId, "onId");
    requireNonNull(onLost, "onLost");
    StatefulRedisPubSubConnection<byte[], byte[]> c = link.connectPubSub();
    c.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(byte[] ch, byte[] message) {
            String m = new String(message, StandardCharsets.UTF_8);
            int space = m.indexOf(' ');
            if (space > 0 && !m.regionMatches(0, origin, 0, space)) {
              onId.accept(m.substring(space + 1));
            }
          }

          @Override
          public void subscribed(byte[] ch, long count) {
            live = true;
            onLost.run(); // (re)subscribed: whatever was published while away is unknown
          }
        });
    c.addListener(
        new RedisConnectionStateListener() {
          @Override
          public void onRedisDisconnected(io.lettuce.core.RedisChannelHandler<?, ?> connection) {
            live = false;
            log.warn(
                "near-cache invalidations from Redis interrupted; cached sessions are validated until resubscribed");
            onLost.run();
          }
        });
    c.sync().subscribe(channel);
    live = true;
    return c::close;
  }
}
