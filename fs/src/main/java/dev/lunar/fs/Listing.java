package dev.lunar.fs;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.function.Predicate;

/** Pages of a listing held in a sorted map, cursors being the names themselves. */
public final class Listing {
  private Listing() {}

  /** At most {@code max} entries of {@code names} after {@code cursor}. */
  public static <V> List<DirEntry> page(
      NavigableMap<String, V> names, String cursor, int max, Predicate<V> isDir) {
    var tail = cursor == null ? names : names.tailMap(cursor, false);
    List<DirEntry> out = new ArrayList<>(Math.min(max, 64));
    for (var e : tail.entrySet()) {
      if (out.size() == max) {
        break;
      }
      out.add(new DirEntry(e.getKey(), isDir.test(e.getValue()), e.getKey()));
    }
    return out;
  }
}
