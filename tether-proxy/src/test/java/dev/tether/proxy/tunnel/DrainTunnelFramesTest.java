package dev.tether.proxy.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.leak.LeakDetection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The WebSocket frame tracker and the go-away of a tunnel relay, socket-free: frame ends are found
 * across any split of the bytes, for every length encoding and masked frames; a relay asked to go
 * away mid-frame finishes that frame, then sends a 1001 close frame and nothing more.
 */
@ExtendWith(LeakDetection.class)
class DrainTunnelFramesTest {

  /** An unmasked (server to client) frame with {@code payload} bytes of {@code 'x'}. */
  static byte[] frame(int opcode, int payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x80 | opcode);
    if (payload < 126) {
      out.write(payload);
    } else if (payload < 65536) {
      out.write(126);
      out.write(payload >>> 8);
      out.write(payload & 0xff);
    } else {
      out.write(127);
      for (int k = 7; k >= 0; k--) {
        out.write((int) ((long) payload >>> (8 * k)) & 0xff);
      }
    }
    for (int i = 0; i < payload; i++) {
      out.write('x');
    }
    return out.toByteArray();
  }

  static byte[] masked(int payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x81);
    out.write(0x80 | payload);
    out.writeBytes(new byte[] {1, 2, 3, 4});
    for (int i = 0; i < payload; i++) {
      out.write('y');
    }
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void findsEveryFrameEndWhateverTheSplit() {
    byte[] a = frame(1, 5);
    byte[] b = frame(2, 300);
    byte[] c = frame(2, 70_000);
    byte[] d = masked(3);
    byte[] e = frame(9, 0); // ping, empty
    byte[] all = concat(a, b, c, d, e);
    int[] ends = {
      a.length,
      a.length + b.length,
      a.length + b.length + c.length,
      a.length + b.length + c.length + d.length,
      all.length
    };
    for (int split : new int[] {1, 2, 3, 7, 13, 4096}) {
      WebSocketFrames f = new WebSocketFrames();
      java.util.List<Integer> seen = new java.util.ArrayList<>();
      for (int at = 0; at < all.length; at += split) {
        int len = Math.min(split, all.length - at);
        ByteBuf chunk = Unpooled.wrappedBuffer(all, at, len);
        int consumed = 0;
        while (true) {
          ByteBuf rest = chunk.slice(chunk.readerIndex() + consumed, len - consumed);
          int n = f.untilBoundary(rest);
          if (n < 0) {
            break;
          }
          if (n == 0 && consumed == 0 && !seen.isEmpty() && seen.getLast() == at) {
            // the boundary at the start of this chunk was counted at the end of the previous one
          } else if (n > 0 || consumed > 0) {
            seen.add(at + consumed + n);
          }
          if (consumed + n == len) {
            break;
          }
          // step one byte past the boundary into the next frame
          f.skip(rest.slice(n, 1));
          consumed += n + 1;
        }
        chunk.release();
      }
      assertThat(seen)
          .as("split %d", split)
          .containsExactly(ends[0], ends[1], ends[2], ends[3], ends[4]);
      assertThat(f.atBoundary()).isTrue();
    }
  }

  @Test
  void knowsWhenTheBackendStartedClosing() {
    WebSocketFrames f = new WebSocketFrames();
    ByteBuf text = Unpooled.wrappedBuffer(frame(1, 3));
    f.skip(text);
    assertThat(f.closeSeen()).isFalse();
    ByteBuf close = Unpooled.wrappedBuffer(frame(8, 2));
    f.skip(close);
    assertThat(f.closeSeen()).isTrue();
    text.release();
    close.release();
  }

  @Test
  void aRelayAskedToGoAwayMidFrameFinishesTheFrameThenSendsGoingAway() {
    EmbeddedChannel client = new EmbeddedChannel();
    Tunnel.Relay toClient = new Tunnel.Relay(client, new WebSocketFrames());
    EmbeddedChannel backend = new EmbeddedChannel(toClient);
    byte[] first = frame(1, 1000);
    byte[] second = frame(1, 10);
    backend.writeInbound(Unpooled.wrappedBuffer(first, 0, 400));
    toClient.goAway();
    assertThat(backend.isActive()).as("waits for the frame to end").isTrue();
    backend.writeInbound(
        Unpooled.wrappedBuffer(
            concat(java.util.Arrays.copyOfRange(first, 400, first.length), second)));

    ByteArrayOutputStream got = new ByteArrayOutputStream();
    ByteBuf out;
    while ((out = client.readOutbound()) != null) {
      byte[] bytes = new byte[out.readableBytes()];
      out.readBytes(bytes);
      got.writeBytes(bytes);
      out.release();
    }
    byte[] sent = got.toByteArray();
    assertThat(java.util.Arrays.copyOfRange(sent, 0, first.length))
        .as("the whole first frame")
        .isEqualTo(first);
    byte[] close = java.util.Arrays.copyOfRange(sent, first.length, sent.length);
    assertThat(close[0] & 0xff).as("FIN + close opcode").isEqualTo(0x88);
    assertThat(close[1] & 0x80).as("unmasked").isZero();
    assertThat(((close[2] & 0xff) << 8) | (close[3] & 0xff)).isEqualTo(1001);
    assertThat(new String(close, 4, close[1] - 2, StandardCharsets.UTF_8))
        .isEqualTo("server draining");
    assertThat(close.length).as("nothing of the second frame").isEqualTo(2 + close[1]);
    assertThat(backend.isActive()).as("backend closed").isFalse();
    client.finishAndReleaseAll();
    backend.finishAndReleaseAll();
  }

  @Test
  void aRelayAtABoundaryGoesAwayAtOnceAndOneWhoseBackendClosesDoesNot() {
    EmbeddedChannel client = new EmbeddedChannel();
    Tunnel.Relay toClient = new Tunnel.Relay(client, new WebSocketFrames());
    EmbeddedChannel backend = new EmbeddedChannel(toClient);
    backend.writeInbound(Unpooled.wrappedBuffer(frame(1, 20)));
    ((ByteBuf) client.readOutbound()).release();
    toClient.goAway();
    ByteBuf close = client.readOutbound();
    assertThat(close.getUnsignedByte(0)).isEqualTo((short) 0x88);
    assertThat(close.getUnsignedShort(2)).isEqualTo(1001);
    close.release();
    assertThat(backend.isActive()).isFalse();
    client.finishAndReleaseAll();
    backend.finishAndReleaseAll();

    EmbeddedChannel client2 = new EmbeddedChannel();
    Tunnel.Relay closing = new Tunnel.Relay(client2, new WebSocketFrames());
    EmbeddedChannel backend2 = new EmbeddedChannel(closing);
    backend2.writeInbound(Unpooled.wrappedBuffer(frame(8, 2)));
    ((ByteBuf) client2.readOutbound()).release();
    closing.goAway();
    assertThat((Object) client2.readOutbound()).as("the backend's own close is under way").isNull();
    assertThat(backend2.isActive()).isTrue();
    client2.finishAndReleaseAll();
    backend2.finishAndReleaseAll();
  }

  @Test
  void theBackendsFailedWritesAfterTheCloseFrameLeaveTheClientItsGracePeriod() {
    EmbeddedChannel client = new EmbeddedChannel();
    Tunnel.Relay toClient = new Tunnel.Relay(client, new WebSocketFrames());
    EmbeddedChannel backend = new EmbeddedChannel(toClient);
    backend.writeInbound(Unpooled.wrappedBuffer(frame(1, 20)));
    ((ByteBuf) client.readOutbound()).release();
    // Client bytes queued for the backend fail as its connection closes, and the failure reaches
    // the relay: the client, which may not have read its close frame yet, must not be reset.
    backend.write(Unpooled.wrappedBuffer(masked(3)), backend.voidPromise());
    toClient.goAway();
    ((ByteBuf) client.readOutbound()).release();
    assertThat(backend.isActive()).isFalse();
    client.runPendingTasks();
    assertThat(client.isActive()).as("open for its own close frame").isTrue();

    EmbeddedChannel client2 = new EmbeddedChannel();
    Tunnel.Relay plain = new Tunnel.Relay(client2, new WebSocketFrames());
    EmbeddedChannel backend2 = new EmbeddedChannel(plain);
    backend2.pipeline().fireExceptionCaught(new java.io.IOException("reset"));
    client2.runPendingTasks();
    assertThat(client2.isActive()).as("a failure before any go-away closes both sides").isFalse();
    client.finishAndReleaseAll();
    backend.finishAndReleaseAll();
    client2.finishAndReleaseAll();
    backend2.finishAndReleaseAll();
  }
}
