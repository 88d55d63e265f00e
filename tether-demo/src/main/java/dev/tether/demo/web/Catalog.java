package dev.tether.demo.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The shop's fixed products. */
final class Catalog {

  /** One product; {@code colour} tints its card. */
  record Product(String sku, String name, String blurb, long priceCents, String colour) {}

  static final List<Product> PRODUCTS =
      List.of(
          new Product(
              "mug",
              "Tether mug",
              "Stoneware, 350 ml, holds a session's worth of coffee.",
              1200,
              "#e07a5f"),
          new Product(
              "tee",
              "Sticky T-shirt",
              "Organic cotton. Comes back to you, every time.",
              2400,
              "#3d5a80"),
          new Product(
              "socks",
              "Failover socks",
              "A spare pair, replicated to two drawers.",
              900,
              "#81b29a"),
          new Product(
              "cap",
              "Near-cache cap",
              "Keeps what you use most close to your head.",
              1800,
              "#f2cc8f"),
          new Product(
              "sticker",
              "Sticker pack",
              "Five stickers, signed with HMAC-SHA-256.",
              400,
              "#9c89b8"));

  private static final Map<String, Product> BY_SKU = new LinkedHashMap<>();

  static {
    PRODUCTS.forEach(p -> BY_SKU.put(p.sku(), p));
  }

  private Catalog() {}

  static Optional<Product> find(String sku) {
    return Optional.ofNullable(sku == null ? null : BY_SKU.get(sku));
  }

  /** The skus, for error messages. */
  static String skus() {
    return String.join(", ", BY_SKU.keySet());
  }

  static String money(long cents) {
    return String.format("$%d.%02d", cents / 100, cents % 100);
  }
}
