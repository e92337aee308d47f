package dev.lunar.runtime.wasi;

import dev.lunar.fs.Handle;
import dev.lunar.fs.Node;
import java.util.HashMap;
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
    long rights = GuestWasi.ALL_RIGHTS; // less reading or writing for a file not opened for it
    boolean nonBlocking;
    boolean append;

    private Cookies cookies;

    Tree(List<String> path, Node node, Handle handle, String preopen) {
      this.path = List.copyOf(path);
      this.node = node;
      this.handle = handle;
      this.preopen = preopen;
    }

    /** The readdir cookies of this directory's entries; made on first use. */
    Cookies cookies() {
      if (cookies == null) {
        cookies = new Cookies();
      }
      return cookies;
    }
  }

  /**
   * readdir cookies: one per listing cursor, the same each time an entry is listed again, so a
   * {@code telldir} taken once stays good for {@code seekdir} however often the guest lists (libc
   * lists again after every seek). The least recently used go past {@link #MAX} entries.
   */
  final class Cookies {
    static final int MAX = 1 << 16;

    private final Map<String, Long> byCursor = new HashMap<>();
    private final LinkedHashMap<Long, String> byCookie =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            if (size() <= MAX) {
              return false;
            }
            byCursor.remove(eldest.getValue());
            return true;
          }
        };
    private long next = 1;

    /** The cookie of the entry at {@code cursor}. */
    long of(String cursor) {
      Long known = byCursor.get(cursor);
      if (known != null) {
        byCookie.get(known); // most recently used now
        return known;
      }
      long cookie = next++;
      byCursor.put(cursor, cookie);
      byCookie.put(cookie, cursor);
      return cookie;
    }

    /** The cursor a cookie stands for, or null if it was never given or has been let go. */
    String cursor(long cookie) {
      return byCookie.get(cookie);
    }
  }
}
