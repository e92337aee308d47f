package dev.lunar.fs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One process's view of the tree: only what its {@link Grants} cover, with at most the access they
 * give. A path no grant covers does not exist ({@link Errno#ENOENT}); a directory on the way to a
 * grant lists only the names that lead to one.
 */
public final class Namespace {
  private Namespace() {}

  /** The root of {@code tree} as seen through {@code grants}. */
  public static Dir view(Dir tree, Grants grants) {
    return new ViewDir(tree, List.of(), grants);
  }

  /** Follows {@code path} from {@code root}. */
  public static Node walk(Dir root, List<String> path) throws FsException {
    Node node = root;
    for (int i = 0; i < path.size(); i++) {
      if (!(node instanceof Dir dir)) {
        throw new FsException(
            Errno.ENOTDIR, Paths.join(path.subList(0, i)) + " is not a directory");
      }
      node = dir.lookup(path.get(i));
    }
    return node;
  }

  private static FsException noEntry(List<String> path) {
    return new FsException(Errno.ENOENT, "no " + Paths.join(path));
  }

  private record ViewDir(Dir dir, List<String> path, Grants grants) implements Dir {
    private Access access() {
      return grants.access(path);
    }

    @Override
    public Node lookup(String name) throws FsException {
      List<String> child = child(name);
      Access access = grants.access(child);
      if (access == null && !grants.leadsBelow(child)) {
        throw noEntry(child);
      }
      Node node = dir.lookup(name);
      if (node instanceof Dir d) {
        return new ViewDir(d, child, grants);
      }
      if (access == null) {
        throw noEntry(child);
      }
      return new ViewFile((File) node, access);
    }

    @Override
    public List<DirEntry> list(String cursor, int max) throws FsException {
      Access access = access();
      if (access != null && access.read()) {
        return dir.list(cursor, max);
      }
      List<DirEntry> out = new ArrayList<>();
      for (String name : grants.listedBelow(path)) {
        if (out.size() == max) {
          break;
        }
        if (cursor != null && name.compareTo(cursor) <= 0) {
          continue;
        }
        try {
          out.add(new DirEntry(name, dir.lookup(name) instanceof Dir, name));
        } catch (FsException e) {
          // granted but absent: nothing to list
        }
      }
      return out;
    }

    @Override
    public Stat stat() throws FsException {
      Access access = access();
      return dir.stat().narrowed(access != null ? access : Access.READ_ONLY);
    }

    @Override
    public Duration cacheFor() {
      return dir.cacheFor();
    }

    private List<String> child(String name) {
      List<String> child = new ArrayList<>(path.size() + 1);
      child.addAll(path);
      child.add(name);
      return child;
    }

    /**
     * Refuses a change to {@code name} here unless this directory is writable or a writable grant
     * covers {@code name} itself: {@code --grant /kv/counts:rw} may make and remove {@code
     * /kv/counts}, though {@code /kv} is not granted.
     */
    private void writable(String name, String what) throws FsException {
      Access access = access();
      if (access != null && access.write()) {
        return;
      }
      Access own = grants.access(child(name));
      if (own == null || !own.write()) {
        throw new FsException(Errno.EACCES, Paths.join(path) + " is not writable: " + what);
      }
    }

    @Override
    public Handle create(String name, OpenMode mode, boolean exclusive) throws FsException {
      writable(name, "cannot create " + name);
      return dir.create(name, mode, exclusive);
    }

    @Override
    public void mkdir(String name) throws FsException {
      writable(name, "cannot make " + name);
      dir.mkdir(name);
    }

    @Override
    public void unlink(String name) throws FsException {
      writable(name, "cannot remove " + name);
      dir.unlink(name);
    }

    @Override
    public void rmdir(String name) throws FsException {
      writable(name, "cannot remove " + name);
      dir.rmdir(name);
    }

    @Override
    public void rename(String from, String to) throws FsException {
      writable(from, "cannot rename " + from);
      writable(to, "cannot rename to " + to);
      dir.rename(from, to);
    }
  }

  private record ViewFile(File file, Access access) implements File {
    @Override
    public Handle open(OpenMode mode) throws FsException {
      boolean refusedRead = mode.read() && !access.read();
      if (refusedRead || (mode.write() && !access.write())) {
        throw new FsException(
            Errno.EACCES,
            "granted " + access.word() + ", not for " + (refusedRead ? "reading" : "writing"));
      }
      Stat.permit(file.mode(), mode);
      return file.open(mode);
    }

    @Override
    public Stat stat() throws FsException {
      return file.stat().narrowed(access);
    }

    @Override
    public Duration cacheFor() {
      return file.cacheFor();
    }
  }
}
