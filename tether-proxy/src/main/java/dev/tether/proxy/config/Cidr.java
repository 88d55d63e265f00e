package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network in CIDR notation, e.g. {@code 10.0.0.0/8} or {@code fd00::/8}.
 *
 * @param network the network address, host bits zero
 * @param prefixLength 0..32 for IPv4, 0..128 for IPv6
 */
public record Cidr(InetAddress network, int prefixLength) {

  public Cidr {
    requireNonNull(network, "network");
    int bits = network.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException(
          "prefix length " + prefixLength + " is out of range 0.." + bits);
    }
  }

  /**
   * Parses {@code address/prefix}, or a single address (a /32 or /128 network), without DNS.
   *
   * @throws IllegalArgumentException with a message saying what is wrong and what is allowed
   */
  public static Cidr parse(String text) {
    requireNonNull(text, "text");
    int slash = text.indexOf('/');
    String addressText = slash < 0 ? text : text.substring(0, slash);
    byte[] address = NetUtil.createByteArrayFromIpAddressString(addressText);
    if (address == null) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a network; use an IP address with an optional /prefix, e.g. 10.0.0.0/8 or fd00::/8");
    }
    if (address.length == 16 && isIpv4Mapped(address)) {
      throw new IllegalArgumentException(
          "'" + text + "' is an IPv4-mapped IPv6 address; write the IPv4 network instead");
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = text.substring(slash + 1);
      if (p.isEmpty()
          || p.length() > 3
          || !p.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(p) > bits) {
        throw new IllegalArgumentException(
            "'" + p + "' in '" + text + "' is not a prefix length; use 0.." + bits);
      }
      prefix = Integer.parseInt(p);
    }
    byte[] masked = mask(address, prefix);
    InetAddress network = toAddress(masked);
    if (!Arrays.equals(masked, address)) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' has host bits set beyond /"
              + prefix
              + "; did you mean "
              + network.getHostAddress()
              + "/"
              + prefix
              + "?");
    }
    return new Cidr(network, prefix);
  }

  /** Whether {@code address} lies in this network; an address of the other family never does. */
  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    byte[] n = network.getAddress();
    if (a.length != n.length) {
      return false;
    }
    return Arrays.equals(mask(a, prefixLength), n);
  }

  private static boolean isIpv4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xFF << (8 - keep)));
    }
    return out;
  }

  private static InetAddress toAddress(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 4 or 16 byte address was rejected", e);
    }
  }

  /** {@code network/prefix}. */
  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefixLength;
  }
}
