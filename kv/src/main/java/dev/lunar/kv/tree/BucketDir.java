package dev.lunar.kv.tree;

import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Node;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Stat;
import dev.lunar.kv.KvNames;
import dev.lunar.kv.KvStat;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /kv/<bucket>}: its keys as files. Listing pages through the store by key (the cursor is
 * the last key), merged with keys being created ({@link Pending}); lookup, stat and listing all ask
 * the same two sources, so they agree.
 */
record BucketDir(KvDir kv, String bucket) implements Dir {
  @Override
  public Node lookup(String name) throws FsException {
    if (exists(name) == null) {
      throw new FsException(Errno.ENOENT, "no key " + name + " in bucket " + bucket);
    }
    return new KeyFile(this, name);
  }

  /** What the store says of {@code key}, or a pending key's empty stat; null if neither. */
  KvStat exists(String key) throws FsException {
    KvStat stat;
    try {
      stat = kv.store.stat(bucket, key);
    } catch (FsException e) {
      if (e.errno() == Errno.EINVAL) {
        return null; // a name no key can have
      }
      throw e;
    }
    if (stat != null) {
      return stat;
    }
    Long created = kv.pending.created(bucket, key);
    return created == null ? null : new KvStat(0, created);
  }

  @Override
  public List<DirEntry> list(String cursor, int max) throws FsException {
    kv.metrics.lists.increment();
    List<String> stored = kv.store.keys(bucket, cursor, max);
    List<String> pending = kv.pending.after(bucket, cursor, max);
    List<DirEntry> out = new ArrayList<>(Math.min(max, stored.size() + pending.size()));
    int i = 0;
    int j = 0;
    while (out.size() < max && (i < stored.size() || j < pending.size())) {
      String next;
      if (j == pending.size()) {
        next = stored.get(i++);
      } else if (i == stored.size()) {
        next = pending.get(j++);
      } else {
        int c = KvNames.compare(stored.get(i), pending.get(j));
        next = c <= 0 ? stored.get(i++) : pending.get(j++);
        if (c == 0) {
          j++;
        }
      }
      out.add(new DirEntry(next, false, next));
    }
    return out;
  }

  @Override
  public Handle create(String name, OpenMode mode, boolean exclusive) throws FsException {
    KvNames.key(name);
    if (kv.store.stat(bucket, name) != null) {
      if (exclusive) {
        throw new FsException(Errno.EEXIST, name + " exists in bucket " + bucket);
      }
      return new KeyFile(this, name).open(mode);
    }
    if (!kv.pending.reserve(bucket, name, exclusive, kv.clock.millis())) {
      throw new FsException(Errno.EEXIST, name + " is being created in bucket " + bucket);
    }
    return new WriteHandle(this, name, mode, new byte[0], true, true);
  }

  @Override
  public void unlink(String name) throws FsException {
    KvNames.key(name);
    kv.metrics.deletes.increment();
    if (!kv.store.delete(bucket, name) && kv.pending.created(bucket, name) == null) {
      throw new FsException(Errno.ENOENT, "no key " + name + " in bucket " + bucket);
    }
  }

  @Override
  public void rename(String from, String to) throws FsException {
    KvNames.key(to);
    kv.metrics.renames.increment();
    try {
      kv.store.rename(bucket, from, to);
    } catch (FsException e) {
      if (e.errno() == Errno.ENOENT && kv.pending.created(bucket, from) != null) {
        throw new FsException(Errno.ENOENT, from + " has no value yet: close it first");
      }
      throw e;
    }
  }

  @Override
  public void mkdir(String name) throws FsException {
    throw new FsException(Errno.EPERM, "a bucket holds keys, not directories");
  }

  @Override
  public void rmdir(String name) throws FsException {
    if (exists(name) == null) {
      throw new FsException(Errno.ENOENT, "no key " + name + " in bucket " + bucket);
    }
    throw new FsException(Errno.ENOTDIR, name + " is a key: unlink removes it");
  }

  @Override
  public Stat stat() throws FsException {
    Long created = kv.store.bucketCreated(bucket);
    if (created == null) {
      throw new FsException(Errno.ENOENT, "no bucket " + bucket);
    }
    return Stat.dir(created);
  }
}
