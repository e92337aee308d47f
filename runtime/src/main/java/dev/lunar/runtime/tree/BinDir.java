package dev.lunar.runtime.tree;

import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Node;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Stat;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * {@code /bin}: the modules of the {@link ModuleCatalog}. A module written here is installed only
 * when its handle closes and it validates: never half-installed.
 */
record BinDir(ModuleCatalog catalog) implements Dir {
  /** A top-level directory: its name and attributes never change (its listing may). */
  @Override
  public java.time.Duration cacheFor() {
    return dev.lunar.runtime.tree.Tree.STATIC;
  }

  @Override
  public Node lookup(String name) throws FsException {
    ModuleCatalog.Entry entry = catalog.get(name);
    return new File() {
      @Override
      public Handle open(OpenMode mode) throws FsException {
        if (mode.write()) {
          return create(name, mode, false);
        }
        return Text.snapshot(entry.bytes());
      }

      @Override
      public Stat stat() throws FsException {
        int mode = entry.origin() == ModuleCatalog.Origin.BUNDLED ? 0444 : 0644;
        return Stat.file(entry.bytes().length, mode, entry.addedMillis());
      }
    };
  }

  @Override
  public List<DirEntry> list(String cursor, int max) {
    return catalog.list(cursor, max);
  }

  @Override
  public Handle create(String name, OpenMode mode, boolean exclusive) throws FsException {
    if (!ModuleCatalog.FILE_NAME.matcher(name).matches()) {
      throw new FsException(
          Errno.EINVAL, "module files are NAME.wasm, NAME 1-64 of A-Z a-z 0-9 _ . -: not " + name);
    }
    boolean exists;
    try {
      exists = catalog.get(name) != null;
    } catch (FsException e) {
      exists = false;
    }
    if (exists && exclusive) {
      throw new FsException(Errno.EEXIST, name + " exists");
    }
    return new Deploy(catalog, name);
  }

  @Override
  public void unlink(String name) throws FsException {
    catalog.remove(name);
  }

  /**
   * Collects a module's bytes; {@link #flush} validates and installs them if anything was written
   * since the last install, and {@link #close} if nothing was ever installed.
   */
  private static final class Deploy implements Handle {
    private final ModuleCatalog catalog;
    private final String name;
    private byte[] bytes = new byte[0];
    private long size;
    private boolean dirty;
    private boolean installed;

    Deploy(ModuleCatalog catalog, String name) {
      this.catalog = catalog;
      this.name = name;
    }

    @Override
    public int write(ByteBuffer src, long offset) throws FsException {
      int n = src.remaining();
      long end = offset + n;
      if (end > (1L << 30)) {
        throw new FsException(Errno.EFBIG, "modules are at most 1 GiB");
      }
      if (end > bytes.length) {
        bytes = Arrays.copyOf(bytes, (int) Math.max(end, Math.min(1L << 30, bytes.length * 2L)));
      }
      src.get(bytes, (int) offset, n);
      size = Math.max(size, end);
      dirty = true;
      return n;
    }

    @Override
    public void truncate(long newSize) {
      if (newSize < size) {
        size = newSize;
        dirty = true;
      }
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void flush() throws FsException {
      if (dirty) {
        dirty = false;
        installed = true;
        catalog.deploy(name, Arrays.copyOf(bytes, (int) size));
      }
    }

    /** A crashed deployer installs nothing. */
    @Override
    public void abandon() {}

    @Override
    public void close() throws FsException {
      if (dirty || !installed) {
        dirty = true;
        flush();
      }
    }
  }
}
