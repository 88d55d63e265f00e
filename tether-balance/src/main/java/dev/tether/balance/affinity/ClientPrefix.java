package dev.tether.balance.affinity;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Reduces a client address to its network prefix, so that a /24 (IPv4) or /64 (IPv6) sticks
 * together: {@code 203.0.113.77} with 24 bits gives {@code 203.0.113.0/24}.
 */
public final class ClientPrefix {

  private final int v4Bits;
  private final int v6Bits;

  public ClientPrefix(int v4Bits, int v6Bits) {
    if (v4Bits < 1 || v4Bits > 32 || v6Bits < 1 || v6Bits > 128) {
      throw new IllegalArgumentException(
          "prefix lengths must be 1..32 (IPv4, got "
              + v4Bits
              + ") and 1..128 (IPv6, got "
              + v6Bits
              + ")");
    }
    this.v4Bits = v4Bits;
    this.v6Bits = v6Bits;
  }

  /** The key for {@code address} (an IP literal), or {@code null} when it is not one. */
  public String key(String address) {
    if (address == null || address.isEmpty()) {
      return null;
    }
    String literal =
        address.charAt(0) == '[' && address.endsWith("]")
            ? address.substring(1, address.length() - 1)
            : address;
    // Only literals reach getByName, so it never resolves a name: IPv6 has a colon, IPv4 is digits
    // and dots.
    if (literal.indexOf(':') < 0 && !literal.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
      return null;
    }
    InetAddress a;
    try {
      a = InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      return null;
    }
    int bits = a instanceof Inet4Address ? v4Bits : v6Bits;
    byte[] b = a.getAddress();
    if (bits == b.length * 8) {
      return a.getHostAddress();
    }
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - i * 8));
      b[i] &= (byte) (0xFF << (8 - keep));
    }
    try {
      return InetAddress.getByAddress(b).getHostAddress() + "/" + bits;
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of " + b.length + " bytes", e);
    }
  }
}
