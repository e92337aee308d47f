package dev.lunar.fs;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** The grants of one process: which paths it may see, and how. Immutable. */
public final class Grants {
  /** The whole tree, read-write: the host's view, and {@code lunar run}'s default. */
  public static final Grants ALL = new Grants(List.of(new Grant(List.of(), Access.READ_WRITE)));

  public static final Grants NONE = new Grants(List.of());

  private final List<Grant> grants;

  public Grants(List<Grant> grants) {
    this.grants = List.copyOf(grants);
  }

  public List<Grant> list() {
    return grants;
  }

  /** These grants plus {@code more}. */
  public Grants plus(List<Grant> more) {
    List<Grant> all = new ArrayList<>(grants);
    all.addAll(more);
    return new Grants(all);
  }

  /** Everything the grants covering {@code path} allow together; null if none covers it. */
  public Access access(List<String> path) {
    Access result = null;
    for (Grant g : grants) {
      if (g.covers(path)) {
        result = g.access().union(result);
      }
    }
    return result;
  }

  /** Whether some grant lies below {@code path}, so the path must be walkable. */
  boolean leadsBelow(List<String> path) {
    for (Grant g : grants) {
      if (g.passesThrough(path)) {
        return true;
      }
    }
    return false;
  }

  /** The names under {@code path} that lead to grants and may be listed, sorted. */
  TreeSet<String> listedBelow(List<String> path) {
    TreeSet<String> names = new TreeSet<>();
    for (Grant g : grants) {
      if (g.passesThrough(path)) {
        String next = g.path().get(path.size());
        if (!next.equals("*")) {
          names.add(next);
        }
      }
    }
    return names;
  }

  /**
   * Whether {@code grant} is within these grants: every path it covers is covered here with at
   * least its access. A {@code *} in {@code grant} must be matched by a {@code *} here.
   */
  public boolean allows(Grant grant) {
    for (Grant g : grants) {
      if (g.access().includes(grant.access()) && g.covers(grant.path()) && sameStars(g, grant)) {
        return true;
      }
    }
    return false;
  }

  private static boolean sameStars(Grant outer, Grant inner) {
    for (int i = 0; i < outer.path().size(); i++) {
      if (inner.path().get(i).equals("*") && !outer.path().get(i).equals("*")) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return grants.toString();
  }
}
