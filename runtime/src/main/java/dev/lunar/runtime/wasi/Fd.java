package dev.lunar.runtime.wasi;

import dev.lunar.fs.Handle;
import dev.lunar.fs.Node;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One entry of a guest's descriptor table: a host descriptor of Chicory's WASI, or the tree's. */
sealed interface Fd {
  /** A descriptor Chicory's WASI owns (stdio, {@code --dir} directories and their files). */
  record Host(int chicory) implements Fd {}

  /** A directory or open file of the tree. */
  final class Tree implements Fd {
    final List<String> path;
    final Node node;
    final Handle handle; // null for a directory
    final String preopen; // the preopened name, e.g. "/proc"; null if opened later
    long position;
    boolean nonBlocking;
    boolean append;

    private Map<Long, String> cookies;

    long nextCookie = 1;

    Tree(List<String> path, Node node, Handle handle, String preopen) {
      this.path = List.copyOf(path);
      this.node = node;
      this.handle = handle;
      this.preopen = preopen;
    }

    /** Listing cursors by readdir cookie, for the last entries handed out; made on first use. */
    Map<Long, String> cookies() {
      if (cookies == null) {
        cookies =
            new LinkedHashMap<>() {
              @Override
              protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
                return size() > 4096;
              }
            };
      }
      return cookies;
    }
  }
}
