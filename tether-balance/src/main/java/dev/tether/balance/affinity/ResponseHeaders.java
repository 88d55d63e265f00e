package dev.tether.balance.affinity;

import java.util.List;

/** The response-head headers an affinity policy may read and extend; names are case-insensitive. */
public interface ResponseHeaders {

  /** Every value of header {@code name}, in order; empty when absent. */
  List<String> getAll(String name);

  /** Adds one value of header {@code name}. */
  void add(String name, String value);

  /**
   * The backend's {@code Tether-Session-Owners} value as it arrived (the proxy removes the header
   * before the response reaches the client, so it is read before that), or {@code null}.
   */
  default String sessionOwners() {
    return null;
  }
}
