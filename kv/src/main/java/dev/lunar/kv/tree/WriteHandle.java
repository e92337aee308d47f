package dev.lunar.kv.tree;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.OpenMode;
import dev.lunar.kv.KvNames;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A key open for writing: a private copy of the value (the value as of open, or empty when
 * truncated or new) that writes change at any offset, committed whole as one atomic put. So no
 * reader ever sees a partial value, and the last commit wins.
 *
 * <p>When it commits: {@link #flush} (each {@code close(2)} of a descriptor) commits if bytes were
 * written since the last commit, so the put is durable when {@code close} returns; a bare
 * truncation is not committed there, because the shell's first flush comes before its write and a
 * reader would see the value empty. {@link #close} (the last release) commits whatever is still
 * uncommitted: a truncation ({@code : > key}), a new empty key ({@code touch key}).
 *
 * <p>A write past {@link KvNames#MAX_VALUE_BYTES} fails with {@link Errno#EFBIG} at once. Reads
 * (when opened read-write) see this handle's own writes.
 */
final class WriteHandle implements Handle {
  private final BucketDir dir;
  private final String key;
  private final OpenMode mode;
  private byte[] buffer;
  private int size;

  /** Bytes were written since the last commit. */
  private boolean written;

  /** The value differs from what this handle last committed (or found) in another way. */
  private boolean changed;

  /**
   * Why a write failed, if one did: nothing this handle holds is then ever committed (a cut value
   * is not a value), and each flush and the close say why.
   */
  private FsException failed;

  /** Holds a {@link Pending} name until the first commit. */
  private boolean reserved;

  /** Bytes of {@link #buffer} held against the tree's limit on open values. */
  private long held;

  WriteHandle(
      BucketDir dir, String key, OpenMode mode, byte[] initial, boolean changed, boolean reserved)
      throws FsException {
    dir.kv().hold(initial.length);
    this.held = initial.length;
    this.dir = dir;
    this.key = key;
    this.mode = mode;
    this.buffer = initial;
    this.size = initial.length;
    this.changed = changed;
    this.reserved = reserved;
  }

  @Override
  public int read(ByteBuffer dst, long offset, boolean block) throws FsException {
    if (!mode.read()) {
      throw new FsException(Errno.EBADF, "not open for reading");
    }
    if (buffer == null) {
      throw new FsException(Errno.EBADF, "closed");
    }
    if (offset >= size) {
      return 0;
    }
    int n = (int) Math.min(dst.remaining(), size - offset);
    dst.put(buffer, (int) offset, n);
    return n;
  }

  @Override
  public int write(ByteBuffer src, long offset) throws FsException {
    writable();
    int n = src.remaining();
    long at = mode.append() ? size : offset;
    long end = at + n;
    try {
      KvNames.value(end);
      if (end > buffer.length) {
        long grown = Math.max(end, Math.min(KvNames.MAX_VALUE_BYTES, buffer.length * 2L));
        grow((int) Math.max(grown, 64));
      }
    } catch (FsException e) {
      failed = new FsException(e.errno(), e.reason() + "; nothing was stored");
      throw e;
    }
    src.get(buffer, (int) at, n);
    size = (int) Math.max(size, end);
    written = true;
    return n;
  }

  @Override
  public void truncate(long newSize) throws FsException {
    writable();
    if (newSize < 0) {
      throw new FsException(Errno.EINVAL, "a negative size");
    }
    KvNames.value(newSize);
    if (newSize == size) {
      return;
    }
    if (newSize > buffer.length) {
      grow((int) newSize);
    } else if (newSize < size) {
      Arrays.fill(buffer, (int) newSize, size, (byte) 0); // past the size stays zero
    }
    size = (int) newSize;
    changed = true;
  }

  /** Grows the buffer to {@code length}, held against the tree's limit on open values. */
  private void grow(int length) throws FsException {
    dir.kv().hold(length - buffer.length);
    held += length - buffer.length;
    buffer = Arrays.copyOf(buffer, length);
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void flush() throws FsException {
    if (failed != null) {
      throw failed;
    }
    if (written) {
      commit();
    }
  }

  @Override
  public void close() throws FsException {
    try {
      if (failed != null) {
        throw failed;
      }
      if (written || changed) {
        commit();
      }
    } finally {
      release();
      drop();
    }
  }

  /** Drops what was not committed: a crashed writer's put never happens, even in part. */
  @Override
  public void abandon() {
    release();
    drop();
  }

  private void drop() {
    buffer = null;
    dir.kv().letGo(held);
    held = 0;
  }

  private void commit() throws FsException {
    byte[] value = size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
    KvDir kv = dir.kv();
    kv.store.put(dir.bucket(), key, value);
    kv.metrics.puts.increment();
    kv.metrics.bytesIn.add(size);
    written = false;
    changed = false;
    release();
  }

  private void release() {
    if (reserved) {
      reserved = false;
      dir.kv().pending.release(dir.bucket(), key);
    }
  }

  private void writable() throws FsException {
    if (!mode.write()) {
      throw new FsException(Errno.EBADF, "not open for writing");
    }
    if (buffer == null) {
      throw new FsException(Errno.EBADF, "closed");
    }
  }
}
