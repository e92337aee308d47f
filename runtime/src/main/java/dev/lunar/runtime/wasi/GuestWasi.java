package dev.lunar.runtime.wasi;

import static dev.lunar.runtime.wasi.WasiImports.i;
import static dev.lunar.runtime.wasi.WasiImports.l;
import static dev.lunar.runtime.wasi.WasiImports.m;
import static dev.lunar.runtime.wasi.WasiImports.str;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiPreview1;
import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Namespace;
import dev.lunar.fs.Node;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Paths;
import dev.lunar.fs.Stat;
import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.wasi.WasiImports.Args;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * WASI preview1 for one guest, over two kinds of descriptors: the tree's (our own code) and the
 * host's ({@code --dir} directories and stdio, served by Chicory's {@link WasiPreview1}). One
 * descriptor table numbers both; calls on host descriptors are passed to Chicory with its number.
 * Functions that take no descriptor (args, clocks, random, exit) are Chicory's unchanged.
 *
 * <p>Concurrency contract: used only by its process's own thread.
 */
public final class GuestWasi {
  static final int FD_READ = 1 << 1;
  static final int FD_WRITE = 1 << 6;
  private static final int FD_READDIR = 1 << 14;
  private static final int O_CREAT = 1;
  private static final int O_DIRECTORY = 2;
  private static final int O_EXCL = 4;
  private static final int O_TRUNC = 8;
  static final int FDFLAG_APPEND = 1;
  static final int FDFLAG_NONBLOCK = 4;
  private static final int FILETYPE_DIRECTORY = 3;
  private static final int FILETYPE_REGULAR = 4;
  static final long ALL_RIGHTS = (1L << 29) - 1;
  private static final int LIST_PAGE = 128;

  final Proc self;
  final WasiPreview1 chicory;
  final Dir root;
  final FdTable fds = new FdTable();

  public GuestWasi(Proc self, WasiPreview1 chicory, Dir root, int hostPreopens) throws FsException {
    this.self = self;
    this.chicory = chicory;
    this.root = root;
    for (int i = 0; i < 3 + hostPreopens; i++) {
      fds.add(new Fd.Host(i));
    }
    for (DirEntry top : root.list(null, 64)) {
      var path = List.of(top.name());
      fds.add(new Fd.Tree(path, root.lookup(top.name()), null, "/" + top.name()));
    }
  }

  /** The process this guest is. */
  public Proc self() {
    return self;
  }

  /**
   * Closes what the guest left open; if it {@code crashed} (a trap, a kill), its uncommitted writes
   * are dropped instead of committed ({@link Handle#abandon}).
   */
  public void closeAll(boolean crashed) {
    for (Fd fd : fds.all()) {
      if (fd instanceof Fd.Tree t && t.handle != null) {
        try {
          if (crashed) {
            t.handle.abandon();
          } else {
            t.handle.close();
          }
        } catch (FsException e) {
          // the guest is gone; nobody to tell
        }
      }
    }
  }

  @FunctionalInterface
  interface HostCall {
    int apply(int chicoryFd) throws WasiError, FsException;
  }

  /** Passes a call on a host descriptor to Chicory; on a tree descriptor answers {@code tree}. */
  int host(int fd, HostCall call, int tree) throws WasiError, FsException {
    return fds.get(fd) instanceof Fd.Host h ? call.apply(h.chicory()) : tree;
  }

  /** On a tree file, commits what was written so far ({@link Handle#flush}): a put in /kv. */
  int sync(int fd, HostCall call) throws WasiError, FsException {
    if (fds.get(fd) instanceof Fd.Tree t && t.handle != null) {
      t.handle.flush();
      return 0;
    }
    return host(fd, call, 0);
  }

  int twoHost(int fd1, int fd2, TwoHostCall call) throws WasiError, FsException {
    if (fds.get(fd1) instanceof Fd.Host h1 && fds.get(fd2) instanceof Fd.Host h2) {
      return call.apply(h1.chicory(), h2.chicory());
    }
    return fds.get(fd1) instanceof Fd.Host || fds.get(fd2) instanceof Fd.Host
        ? Errno.EXDEV.wasi()
        : Errno.ENOTSUP.wasi();
  }

  @FunctionalInterface
  interface TwoHostCall {
    int apply(int c1, int c2) throws WasiError, FsException;
  }

  private static Handle handle(Fd.Tree t) throws FsException {
    if (t.handle == null) {
      throw new FsException(Errno.EISDIR, Paths.join(t.path) + " is a directory");
    }
    return t.handle;
  }

  // ---- descriptors ----

  int prestatGet(Memory mem, int fd, int ptr) throws WasiError {
    Fd f = fds.get(fd);
    if (f instanceof Fd.Host h) {
      return chicory.fdPrestatGet(mem, h.chicory(), ptr);
    }
    Fd.Tree t = (Fd.Tree) f;
    if (t.preopen == null) {
      return Errno.EBADF.wasi();
    }
    mem.writeI32(ptr, 0);
    mem.writeI32(ptr + 4, t.preopen.getBytes(StandardCharsets.UTF_8).length);
    return 0;
  }

  int prestatDirName(Memory mem, int fd, int ptr, int len) throws WasiError {
    Fd f = fds.get(fd);
    if (f instanceof Fd.Host h) {
      return chicory.fdPrestatDirName(mem, h.chicory(), ptr, len);
    }
    Fd.Tree t = (Fd.Tree) f;
    if (t.preopen == null) {
      return Errno.EBADF.wasi();
    }
    byte[] name = t.preopen.getBytes(StandardCharsets.UTF_8);
    if (len < name.length) {
      return Errno.ENAMETOOLONG.wasi();
    }
    mem.write(ptr, name);
    return 0;
  }

  int close(int fd) throws WasiError, FsException {
    Fd f = fds.remove(fd);
    if (f instanceof Fd.Host h) {
      return chicory.fdClose(h.chicory());
    }
    Fd.Tree t = (Fd.Tree) f;
    if (t.handle != null) {
      t.handle.close();
    }
    return 0;
  }

  int renumber(int from, int to) throws WasiError, FsException {
    Fd f = fds.get(from);
    fds.get(to);
    if (from != to) {
      close(to);
      fds.remove(from);
      fds.put(to, f);
    }
    return 0;
  }

  int read(Memory mem, int fd, int iovs, int count, long at, int nreadPtr)
      throws WasiError, FsException {
    Fd f = fds.get(fd);
    if (f instanceof Fd.Host h) {
      return at >= 0
          ? chicory.fdPread(mem, h.chicory(), iovs, count, at, nreadPtr)
          : stdio(h, () -> chicory.fdRead(mem, h.chicory(), iovs, count, nreadPtr));
    }
    Fd.Tree t = (Fd.Tree) f;
    Handle handle = handle(t);
    if (at >= 0 && handle.stream()) {
      return Errno.ESPIPE.wasi();
    }
    int total = 0;
    for (int k = 0; k < count; k++) {
      total += mem.readInt(iovs + 8 * k + 4);
    }
    ByteBuffer buf = ByteBuffer.allocate(total);
    int n = handle.read(buf, at >= 0 ? at : t.position, !t.nonBlocking);
    if (at < 0 && !handle.stream()) {
      t.position += n;
    }
    byte[] bytes = buf.array();
    int done = 0;
    for (int k = 0; k < count && done < n; k++) {
      int len = Math.min(mem.readInt(iovs + 8 * k + 4), n - done);
      mem.write(mem.readInt(iovs + 8 * k), bytes, done, len);
      done += len;
    }
    mem.writeI32(nreadPtr, n);
    return 0;
  }

  int write(Memory mem, int fd, int iovs, int count, long at, int nwrittenPtr)
      throws WasiError, FsException {
    Fd f = fds.get(fd);
    if (f instanceof Fd.Host h) {
      return at >= 0
          ? chicory.fdPwrite(mem, h.chicory(), iovs, count, at, nwrittenPtr)
          : stdio(
              h,
              () ->
                  writeWhole(h, () -> chicory.fdWrite(mem, h.chicory(), iovs, count, nwrittenPtr)));
    }
    Fd.Tree t = (Fd.Tree) f;
    Handle handle = handle(t);
    if (at >= 0 && handle.stream()) {
      return Errno.ESPIPE.wasi();
    }
    // One call is one message: gather every iovec first (usually there is one: no second copy).
    byte[] bytes = mem.readBytes(mem.readInt(iovs), count > 0 ? mem.readInt(iovs + 4) : 0);
    for (int k = 1; k < count; k++) {
      byte[] part = mem.readBytes(mem.readInt(iovs + 8 * k), mem.readInt(iovs + 8 * k + 4));
      byte[] joined = Arrays.copyOf(bytes, bytes.length + part.length);
      System.arraycopy(part, 0, joined, bytes.length, part.length);
      bytes = joined;
    }
    if (bytes.length == 0) { // as from the host, where the kernel passes no empty write on
      mem.writeI32(nwrittenPtr, 0);
      return 0;
    }
    long offset = at >= 0 ? at : t.append ? handle.size() : t.position;
    int n = handle.write(ByteBuffer.wrap(bytes), offset, !t.nonBlocking);
    if (at < 0 && !handle.stream()) {
      t.position = offset + n;
    }
    mem.writeI32(nwrittenPtr, n);
    return 0;
  }

  /**
   * One call's iovecs reach standard output or error together: Chicory writes them one by one, and
   * processes share the node's streams, so libc's usual pair (its buffer, then the new bytes) could
   * otherwise have another process's line land between them.
   */
  private int writeWhole(Fd.Host h, Proc.Blocking<Integer> call) throws InterruptedException {
    GuestSpec spec = self.spec();
    if (spec == null || (h.chicory() != 1 && h.chicory() != 2)) {
      return call.call(); // a file of a --dir directory: its own
    }
    synchronized (h.chicory() == 1 ? spec.stdout() : spec.stderr()) {
      return call.call();
    }
  }

  /** Standard streams may wait on the outside world: the carrier is given up meanwhile. */
  private int stdio(Fd.Host h, Proc.Blocking<Integer> call) {
    return h.chicory() <= 2 ? self.blocking(call) : run(call);
  }

  private static int run(Proc.Blocking<Integer> call) {
    try {
      return call.call();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Errno.EINTR.wasi();
    }
  }

  int seek(Memory mem, int fd, long offset, int whence, int resultPtr)
      throws WasiError, FsException {
    Fd f = fds.get(fd);
    if (f instanceof Fd.Host h) {
      return whence == 1 && offset == 0
          ? chicory.fdTell(mem, h.chicory(), resultPtr)
          : chicory.fdSeek(mem, h.chicory(), offset, whence, resultPtr);
    }
    Fd.Tree t = (Fd.Tree) f;
    Handle handle = handle(t);
    if (handle.stream()) {
      return Errno.ESPIPE.wasi();
    }
    long base =
        switch (whence) {
          case 0 -> 0;
          case 1 -> t.position;
          case 2 -> handle.size();
          default -> -1;
        };
    if (base < 0 || base + offset < 0) {
      return Errno.EINVAL.wasi();
    }
    t.position = base + offset;
    mem.writeLong(resultPtr, t.position);
    return 0;
  }

  int fdstatGet(Memory mem, int fd, int ptr) throws WasiError {
    Fd f = fds.get(fd);
    if (f instanceof Fd.Host h) {
      return chicory.fdFdstatGet(mem, h.chicory(), ptr);
    }
    Fd.Tree t = (Fd.Tree) f;
    mem.writeByte(ptr, (byte) (t.node instanceof Dir ? FILETYPE_DIRECTORY : FILETYPE_REGULAR));
    int flags = (t.append ? FDFLAG_APPEND : 0) | (t.nonBlocking ? FDFLAG_NONBLOCK : 0);
    mem.writeShort(ptr + 2, (short) flags);
    mem.writeLong(ptr + 8, t.rights);
    mem.writeLong(ptr + 16, ALL_RIGHTS);
    return 0;
  }

  int fdstatSetFlags(int fd, int flags) throws WasiError {
    Fd f = fds.get(fd);
    if (f instanceof Fd.Host h) {
      return chicory.fdFdstatSetFlags(h.chicory(), flags);
    }
    Fd.Tree t = (Fd.Tree) f;
    t.append = (flags & FDFLAG_APPEND) != 0;
    t.nonBlocking = (flags & FDFLAG_NONBLOCK) != 0;
    return 0;
  }

  int filestatGet(Memory mem, int fd, int ptr) throws WasiError, FsException {
    Fd f = fds.get(fd);
    if (f instanceof Fd.Host h) {
      return chicory.fdFilestatGet(mem, h.chicory(), ptr);
    }
    Fd.Tree t = (Fd.Tree) f;
    Stat stat = t.node.stat();
    long size = t.handle != null && !t.handle.stream() ? t.handle.size() : stat.size();
    writeFilestat(mem, ptr, t.path, stat, size);
    return 0;
  }

  int setSize(int fd, long size) throws WasiError, FsException {
    Fd f = fds.get(fd);
    if (f instanceof Fd.Host h) {
      return chicory.fdFilestatSetSize(h.chicory(), size);
    }
    handle((Fd.Tree) f).truncate(size);
    return 0;
  }

  private static void writeFilestat(Memory mem, int ptr, List<String> path, Stat stat, long size) {
    long nanos = stat.modifiedMillis() * 1_000_000L;
    mem.writeLong(ptr, 0x4c554e4152L); // dev: "LUNAR"
    mem.writeLong(ptr + 8, Paths.join(path).hashCode() & 0xffffffffL);
    mem.writeByte(ptr + 16, (byte) (stat.dir() ? FILETYPE_DIRECTORY : FILETYPE_REGULAR));
    mem.writeLong(ptr + 24, 1);
    mem.writeLong(ptr + 32, size);
    mem.writeLong(ptr + 40, nanos);
    mem.writeLong(ptr + 48, nanos);
    mem.writeLong(ptr + 56, nanos);
  }

  int readdir(Memory mem, int fd, int buf, int len, long cookie, int usedPtr)
      throws WasiError, FsException {
    Fd f = fds.get(fd);
    if (f instanceof Fd.Host h) {
      return chicory.fdReaddir(mem, h.chicory(), buf, len, cookie, usedPtr);
    }
    Fd.Tree t = (Fd.Tree) f;
    if (!(t.node instanceof Dir dir)) {
      return Errno.ENOTDIR.wasi();
    }
    String cursor = null;
    if (cookie != 0) {
      cursor = t.cookies().cursor(cookie);
      if (cursor == null) {
        return Errno.EINVAL.wasi();
      }
    }
    int used = 0;
    while (used < len) {
      List<DirEntry> page = dir.list(cursor, LIST_PAGE);
      if (page.isEmpty()) {
        break;
      }
      for (DirEntry e : page) {
        if (used >= len) {
          break;
        }
        long next = t.cookies().of(e.cursor());
        byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
        ByteBuffer entry =
            ByteBuffer.allocate(24 + name.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        entry.putLong(next);
        entry.putLong(Paths.join(List.of(Paths.join(t.path), e.name())).hashCode() & 0xffffffffL);
        entry.putInt(name.length);
        entry.put((byte) (e.dir() ? FILETYPE_DIRECTORY : FILETYPE_REGULAR));
        entry.put(new byte[3]);
        entry.put(name);
        int n = Math.min(entry.capacity(), len - used);
        mem.write(buf + used, entry.array(), 0, n);
        used += n;
        cursor = e.cursor();
      }
    }
    mem.writeI32(usedPtr, used);
    return 0;
  }

  // ---- paths ----

  private List<String> resolve(Fd.Tree dir, String path) throws FsException {
    if (!(dir.node instanceof Dir) && (path.isEmpty() || path.equals("."))) {
      return dir.path; // a file preopened on its own, such as /metrics: libc opens it as "."
    }
    if (!(dir.node instanceof Dir)) {
      throw new FsException(Errno.ENOTDIR, Paths.join(dir.path) + " is not a directory");
    }
    return Paths.resolve(dir.path, path);
  }

  int pathOpen(Args a) throws WasiError, FsException {
    Memory mem = m(a);
    int dirFd = i(a, 1);
    String path = str(a, 3);
    int oflags = i(a, 5);
    long rights = l(a, 6);
    int fdflags = i(a, 8);
    int fdPtr = i(a, 9);
    Fd f = fds.get(dirFd);
    if (f instanceof Fd.Host h) {
      int r =
          chicory.pathOpen(
              mem, h.chicory(), i(a, 2), path, oflags, rights, l(a, 7), fdflags, fdPtr);
      if (r == 0) {
        mem.writeI32(fdPtr, fds.add(new Fd.Host(mem.readInt(fdPtr))));
      }
      return r;
    }
    List<String> target = resolve((Fd.Tree) f, path);
    if (target.isEmpty()) {
      throw new FsException(Errno.EACCES, "/ is not a directory a guest can open");
    }
    boolean read = (rights & FD_READ) != 0;
    boolean write = (rights & FD_WRITE) != 0;
    var mode =
        new OpenMode(
            read || !write, write, (oflags & O_TRUNC) != 0, (fdflags & FDFLAG_APPEND) != 0);
    Node node = null;
    try {
      node = Namespace.walk(root, target);
    } catch (FsException e) {
      if (e.errno() != Errno.ENOENT || (oflags & O_CREAT) == 0 || target.isEmpty()) {
        throw e;
      }
    }
    Handle handle;
    if (node == null) {
      Node parent = Namespace.walk(root, target.subList(0, target.size() - 1));
      if (!(parent instanceof Dir dir)) {
        throw new FsException(Errno.ENOTDIR, "not a directory");
      }
      handle = dir.create(target.get(target.size() - 1), mode, (oflags & O_EXCL) != 0);
      node = Namespace.walk(root, target);
    } else if ((oflags & O_CREAT) != 0 && (oflags & O_EXCL) != 0) {
      throw new FsException(Errno.EEXIST, Paths.join(target) + " exists");
    } else if (node instanceof Dir) {
      if (write) {
        throw new FsException(Errno.EISDIR, Paths.join(target) + " is a directory");
      }
      handle = null;
    } else if ((oflags & O_DIRECTORY) != 0 || path.endsWith("/")) {
      throw new FsException(Errno.ENOTDIR, Paths.join(target) + " is not a directory");
    } else {
      handle = ((File) node).open(mode);
    }
    var opened = new Fd.Tree(target, node, handle, null);
    opened.nonBlocking = (fdflags & FDFLAG_NONBLOCK) != 0;
    opened.append = mode.append();
    if (handle != null) { // fcntl(F_GETFL) reads the access mode from these
      opened.rights &= mode.read() ? ALL_RIGHTS : ~(long) (FD_READ | FD_READDIR);
      opened.rights &= mode.write() ? ALL_RIGHTS : ~(long) FD_WRITE;
    }
    mem.writeI32(fdPtr, fds.add(opened));
    return 0;
  }

  int pathFilestatGet(Memory mem, int fd, int flags, String path, int ptr)
      throws WasiError, FsException {
    Fd f = fds.get(fd);
    if (f instanceof Fd.Host h) {
      return chicory.pathFilestatGet(mem, h.chicory(), flags, path, ptr);
    }
    List<String> target = resolve((Fd.Tree) f, path);
    Stat stat = Namespace.walk(root, target).stat();
    writeFilestat(mem, ptr, target, stat, stat.size());
    return 0;
  }

  enum PathOp {
    MKDIR,
    RMDIR,
    UNLINK
  }

  int pathOp(int fd, String path, PathOp op) throws WasiError, FsException {
    Fd f = fds.get(fd);
    if (f instanceof Fd.Host h) {
      return switch (op) {
        case MKDIR -> chicory.pathCreateDirectory(h.chicory(), path);
        case RMDIR -> chicory.pathRemoveDirectory(h.chicory(), path);
        case UNLINK -> chicory.pathUnlinkFile(h.chicory(), path);
      };
    }
    List<String> target = resolve((Fd.Tree) f, path);
    if (target.isEmpty()) {
      throw new FsException(Errno.EPERM, "not the root");
    }
    Dir parent = parentDir(target);
    String name = target.get(target.size() - 1);
    switch (op) {
      case MKDIR -> parent.mkdir(name);
      case RMDIR -> parent.rmdir(name);
      case UNLINK -> {
        if (parent.lookup(name) instanceof Dir) {
          throw new FsException(Errno.EISDIR, Paths.join(target) + " is a directory");
        }
        parent.unlink(name);
      }
    }
    return 0;
  }

  private Dir parentDir(List<String> target) throws FsException {
    if (Namespace.walk(root, target.subList(0, target.size() - 1)) instanceof Dir d) {
      return d;
    }
    throw new FsException(Errno.ENOTDIR, "not a directory");
  }

  int rename(int fd1, String from, int fd2, String to) throws WasiError, FsException {
    if (fds.get(fd1) instanceof Fd.Tree t1 && fds.get(fd2) instanceof Fd.Tree t2) {
      List<String> a = resolve(t1, from);
      List<String> b = resolve(t2, to);
      if (a.isEmpty()
          || b.isEmpty()
          || !a.subList(0, a.size() - 1).equals(b.subList(0, b.size() - 1))) {
        throw new FsException(Errno.EXDEV, "rename only within one directory of the tree");
      }
      parentDir(a).rename(a.get(a.size() - 1), b.get(b.size() - 1));
      return 0;
    }
    return twoHost(fd1, fd2, (c1, c2) -> chicory.pathRename(c1, from, c2, to));
  }

  int sockAccept(Memory mem, int fd, int flags, int fdPtr) throws WasiError {
    if (fds.get(fd) instanceof Fd.Host h) {
      int r = chicory.sockAccept(h.chicory(), flags, fdPtr);
      if (r == 0) {
        mem.writeI32(fdPtr, fds.add(new Fd.Host(mem.readInt(fdPtr))));
      }
      return r;
    }
    return Errno.ENOTSUP.wasi();
  }
}
