package dev.lunar.fs;

import java.util.List;

/**
 * A subtree a process may see, and how: {@code /kv/counts:rw}. A segment {@code *} matches any one
 * name; names it matches are reachable but not listed.
 */
public record Grant(List<String> path, Access access) {
  public Grant {
    path = List.copyOf(path);
  }

  /** Parses {@code PATH[:ro|wo|rw]}; read-write when no access is given. */
  public static Grant parse(String text) {
    int colon = text.lastIndexOf(':');
    String path = text;
    Access access = Access.READ_WRITE;
    if (colon >= 0) {
      access = Access.parse(text.substring(colon + 1));
      path = text.substring(0, colon);
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("grant path must start with /: '" + path + "'");
    }
    return new Grant(Paths.split(path), access);
  }

  /** Whether this grant covers {@code target}: it is the grant's path or below it. */
  boolean covers(List<String> target) {
    return path.size() <= target.size() && matchesPrefix(target, path.size());
  }

  /** Whether the grant's path runs through {@code target} to something below it. */
  boolean passesThrough(List<String> target) {
    return path.size() > target.size() && matchesPrefix(target, target.size());
  }

  private boolean matchesPrefix(List<String> target, int n) {
    for (int i = 0; i < n; i++) {
      String g = path.get(i);
      if (!g.equals("*") && !g.equals(target.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return Paths.join(path) + ":" + access.word();
  }
}
