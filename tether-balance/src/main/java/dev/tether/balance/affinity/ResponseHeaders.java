package dev.tether.balance.affinity;

import java.util.List;

/** The response-head headers an affinity policy may read and extend; names are case-insensitive. */
public interface ResponseHeaders {

  /** Every value of header {@code name}, in order; empty when absent. */
  List<String> getAll(String name);

  /** Adds one value of header {@code name}. */
  void add(String name, String value);
}
