package dev.tether.proxy.outlier;

import dev.tether.balance.Ejection;
import dev.tether.balance.Member;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the admin API shows an ejection: {@code {"until": ISO-8601, "reason": "...", "count": n}}.
 */
public final class OutlierJson {

  private OutlierJson() {}

  /** The ejection of {@code m} as JSON, or {@code null} when it is not ejected. */
  public static Map<String, Object> ejection(Member m) {
    Ejection e = m.ejection();
    if (e == null) {
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("until", e.until().toString());
    out.put("reason", e.reason());
    out.put("count", e.count());
    return out;
  }
}
