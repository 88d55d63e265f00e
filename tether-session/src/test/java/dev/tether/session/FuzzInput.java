package dev.tether.session;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads typed values from a fuzzer's input, front to back, with zeros once it is used up, so that
 * every input (also the empty one) gives a value and a small change to the input gives a small
 * change to the values. For the fuzz tests of this module.
 */
public final class FuzzInput {

  private final ByteBuffer in;

  public FuzzInput(byte[] input) {
    this.in = ByteBuffer.wrap(input);
  }

  /** 0..255. */
  public int nextByte() {
    return in.hasRemaining() ? in.get() & 0xFF : 0;
  }

  /** 0..bound-1. */
  public int nextInt(int bound) {
    return Math.floorMod(nextInt(), bound);
  }

  public int nextInt() {
    return in.remaining() >= 4 ? in.getInt() : nextByte();
  }

  public long nextLong() {
    return in.remaining() >= 8 ? in.getLong() : nextInt();
  }

  public boolean nextBoolean() {
    return (nextByte() & 1) == 1;
  }

  /** Up to {@code max} bytes, the count read first. */
  public byte[] nextBytes(int max) {
    byte[] b = new byte[Math.min(nextInt(max + 1), in.remaining())];
    in.get(b);
    return b;
  }

  /** Well-formed text of up to {@code max} UTF-8 bytes (malformed bytes become U+FFFD). */
  public String nextString(int max) {
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPLACE)
              .onUnmappableCharacter(CodingErrorAction.REPLACE)
              .decode(ByteBuffer.wrap(nextBytes(max)));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError("a replacing decoder cannot fail", e);
    }
  }

  /** Text of up to {@code max} raw UTF-16 code units, unpaired surrogates included. */
  public String nextCodeUnits(int max) {
    int n = nextInt(max + 1);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n && in.remaining() >= 2; i++) {
      sb.append(in.getChar());
    }
    return sb.toString();
  }

  /** Whether input is left. */
  public boolean hasRemaining() {
    return in.hasRemaining();
  }
}
