package dev.lunar.kv.tree;

import dev.lunar.fs.Errno;
import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Stat;
import dev.lunar.kv.KvStat;
import java.nio.ByteBuffer;

/**
 * {@code /kv/<bucket>/<key>}. Opening it for reading reads the whole value once: the handle reads
 * that snapshot, whatever is put meanwhile. Opening it for writing gives a {@link WriteHandle}.
 */
record KeyFile(BucketDir dir, String key) implements File {
  static final int MODE = 0644;

  @Override
  public Handle open(OpenMode mode) throws FsException {
    KvDir kv = dir.kv();
    if (mode.write() && mode.truncate()) {
      if (dir.exists(key) == null) {
        throw gone();
      }
      return new WriteHandle(dir, key, mode, new byte[0], true, false);
    }
    byte[] value = kv.store.get(dir.bucket(), key);
    if (value == null) {
      if (kv.pending.created(dir.bucket(), key) == null) {
        throw gone();
      }
      value = new byte[0];
    } else {
      kv.metrics.gets.increment();
      kv.metrics.bytesOut.add(value.length);
    }
    if (mode.write()) {
      return new WriteHandle(dir, key, mode, value, false, false);
    }
    kv.hold(value.length);
    return new Snapshot(kv, value);
  }

  /** A value as of the open, held against the tree's limit on open values until the close. */
  private static final class Snapshot implements Handle {
    private final KvDir kv;
    private final Handle bytes;
    private long held;

    Snapshot(KvDir kv, byte[] value) {
      this.kv = kv;
      this.bytes = Handle.of(value);
      this.held = value.length;
    }

    @Override
    public int read(ByteBuffer dst, long offset, boolean block) throws FsException {
      return bytes.read(dst, offset, block);
    }

    @Override
    public long size() throws FsException {
      return bytes.size();
    }

    @Override
    public synchronized void close() {
      kv.letGo(held);
      held = 0;
    }
  }

  @Override
  public int mode() {
    return MODE; // without stat's look-up in the store
  }

  @Override
  public Stat stat() throws FsException {
    KvStat stat = dir.exists(key);
    if (stat == null) {
      throw gone();
    }
    return Stat.file(stat.size(), MODE, stat.modifiedMillis());
  }

  private FsException gone() {
    return new FsException(Errno.ENOENT, "no key " + key + " in bucket " + dir.bucket());
  }
}
