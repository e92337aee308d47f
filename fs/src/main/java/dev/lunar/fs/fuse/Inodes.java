package dev.lunar.fs.fuse;

import dev.lunar.fs.Dir;
import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Node;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node ids the kernel holds, and what each stands for: FUSE's low-level protocol names nodes by
 * id, counts the lookups it answered, and forgets ids it no longer caches. A name looked up again
 * while its id is remembered keeps its id, so {@code stat} shows a stable inode number; the inode
 * number itself is a hash of the path, stable across forgets and mounts.
 *
 * <p>Thread-safe: {@link #get} is lock-free; changes take this table's lock (they are short).
 */
final class Inodes {
  static final long ROOT = 1;

  /** One node id. {@code node} is replaced by each fresh lookup of the same name. */
  static final class Inode {
    final long id;
    final long ino;
    final long parentIno;
    final boolean dir;
    volatile Node node;

    /** Size and modification time at the last open, to tell whether cached pages still hold. */
    volatile long openedVersion;

    /** The last file opened for writing and still open: its size is the file's, until commit. */
    volatile OpenFiles.OpenFile writer;

    private long lookups;
    private Key key;

    Inode(long id, long ino, long parentIno, Node node, Key key) {
      this.id = id;
      this.ino = ino;
      this.parentIno = parentIno;
      this.dir = node instanceof Dir;
      this.node = node;
      this.key = key;
    }
  }

  private record Key(long parent, String name) {}

  private final Map<Long, Inode> byId = new ConcurrentHashMap<>();
  private final Map<Key, Inode> byName = new HashMap<>();
  private long next = ROOT + 1;

  Inodes(Dir root) {
    byId.put(ROOT, new Inode(ROOT, ROOT, ROOT, root, null));
  }

  Inode get(long id) throws FsException {
    Inode inode = byId.get(id);
    if (inode == null) {
      throw new FsException(Errno.ENOENT, "node " + id + " was forgotten");
    }
    return inode;
  }

  /**
   * Counts one more kernel reference to {@code name} in {@code parent}, which is now {@code node}.
   */
  synchronized Inode remember(Inode parent, String name, Node node) {
    Key key = new Key(parent.id, name);
    Inode inode = byName.get(key);
    if (inode == null || inode.dir != node instanceof Dir) {
      if (inode != null) {
        inode.key = null; // a file became a directory or back: a new id, as for a new inode
      }
      inode = new Inode(next++, childIno(parent.ino, name), parent.ino, node, key);
      byName.put(key, inode);
      byId.put(inode.id, inode);
    }
    inode.node = node;
    inode.lookups++;
    return inode;
  }

  /** The kernel dropped {@code count} references to {@code id}. */
  synchronized void forget(long id, long count) {
    Inode inode = byId.get(id);
    if (inode == null || id == ROOT) {
      return;
    }
    inode.lookups -= count;
    if (inode.lookups <= 0) {
      byId.remove(id);
      if (inode.key != null) {
        byName.remove(inode.key);
      }
    }
  }

  /** {@code name} is gone from {@code parent}: a new file of that name gets a new id. */
  synchronized void removed(long parent, String name) {
    Inode inode = byName.remove(new Key(parent, name));
    if (inode != null) {
      inode.key = null;
    }
  }

  /** {@code from} in {@code parent} is now called {@code to}, replacing what was there. */
  synchronized void renamed(long parent, String from, String to, Node node) {
    removed(parent, to);
    Inode inode = byName.remove(new Key(parent, from));
    if (inode != null) {
      inode.key = new Key(parent, to);
      inode.node = node;
      byName.put(inode.key, inode);
    }
  }

  /** Ids remembered, the root included. */
  int size() {
    return byId.size();
  }

  /** The inode number of {@code name} in the directory numbered {@code parentIno}: FNV-1a. */
  static long childIno(long parentIno, String name) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < 8; i++) {
      h = (h ^ ((parentIno >>> (8 * i)) & 0xff)) * 0x100000001b3L;
    }
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h == 0 || h == ROOT ? h + 2 : h; // 0 is no inode; 1 is the root's
  }
}
