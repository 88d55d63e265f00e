package dev.tether.demo.web;

import dev.tether.session.ActiveSession;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cart as kept in the session: attribute {@value #ATTRIBUTE}, a plain JSON map {@code {"items":
 * {"mug": 2}, "version": 3}} (no registered classes needed). {@code version} counts the cart's
 * changes (adds and checkouts), not the session's writes: it is what {@code GET /api/cart} reports.
 */
record Cart(Map<String, Integer> items, long version) {

  static final String ATTRIBUTE = "cart";

  /** One line of the cart, priced from the catalogue. */
  record Line(Catalog.Product product, int quantity) {
    long totalCents() {
      return product.priceCents() * quantity;
    }
  }

  static Cart of(ActiveSession s) {
    if (!(s.attribute(ATTRIBUTE) instanceof Map<?, ?> m)) {
      return new Cart(Map.of(), 0);
    }
    Map<String, Integer> items = new LinkedHashMap<>();
    if (m.get("items") instanceof Map<?, ?> raw) {
      raw.forEach(
          (k, v) -> {
            if (k instanceof String sku && v instanceof Number n && n.intValue() > 0) {
              items.put(sku, n.intValue());
            }
          });
    }
    long version = m.get("version") instanceof Number n ? n.longValue() : 0;
    return new Cart(items, version);
  }

  Cart add(String sku) {
    Map<String, Integer> next = new LinkedHashMap<>(items);
    next.merge(sku, 1, Integer::sum);
    return new Cart(next, version + 1);
  }

  Cart emptied() {
    return new Cart(Map.of(), version + 1);
  }

  void store(ActiveSession s) {
    s.setAttribute(ATTRIBUTE, Map.of("items", new LinkedHashMap<>(items), "version", version));
  }

  boolean isEmpty() {
    return items.isEmpty();
  }

  int count() {
    return items.values().stream().mapToInt(Integer::intValue).sum();
  }

  List<Line> lines() {
    List<Line> out = new ArrayList<>();
    items.forEach((sku, q) -> Catalog.find(sku).ifPresent(p -> out.add(new Line(p, q))));
    return out;
  }

  long totalCents() {
    return lines().stream().mapToLong(Line::totalCents).sum();
  }
}
