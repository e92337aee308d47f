package dev.lunar.fs.fuse;

import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Delegate;

/**
 * {@code struct fuse_lowlevel_ops}: one native function pointer per request kind, each a jnr-ffi
 * closure calling into {@link NodeRequests} or {@link FileRequests}. Slots left empty make libfuse
 * answer {@code ENOSYS}. Closure interfaces are public only because jnr-ffi implements them in
 * another class loader.
 */
final class Ops {
  // Slot numbers: the field order of struct fuse_lowlevel_ops in libfuse 2.9.
  private static final int INIT = 0;
  private static final int LOOKUP = 2;
  private static final int FORGET = 3;
  private static final int GETATTR = 4;
  private static final int SETATTR = 5;
  private static final int MKDIR = 8;
  private static final int UNLINK = 9;
  private static final int RMDIR = 10;
  private static final int RENAME = 12;
  private static final int OPEN = 14;
  private static final int READ = 15;
  private static final int WRITE = 16;
  private static final int FLUSH = 17;
  private static final int RELEASE = 18;
  private static final int FSYNC = 19;
  private static final int OPENDIR = 20;
  private static final int READDIR = 21;
  private static final int RELEASEDIR = 22;
  private static final int CREATE = 30;
  private static final int POLL = 35;
  private static final int FORGET_MULTI = 38;
  private static final int SLOTS = 41;

  public interface Init {
    @Delegate
    void call(long userdata, long conn);
  }

  /** lookup, unlink, rmdir: a name in a directory. */
  public interface Named {
    @Delegate
    void call(long req, long parent, long name);
  }

  public interface Forget {
    @Delegate
    void call(long req, long ino, long nlookup);
  }

  public interface ForgetMulti {
    @Delegate
    void call(long req, long count, long forgets);
  }

  /** getattr, open, flush, release, opendir, releasedir: an inode and maybe an open file. */
  public interface WithFile {
    @Delegate
    void call(long req, long ino, long fi);
  }

  public interface Setattr {
    @Delegate
    void call(long req, long ino, long attr, int toSet, long fi);
  }

  public interface Mkdir {
    @Delegate
    void call(long req, long parent, long name, int mode);
  }

  public interface Rename {
    @Delegate
    void call(long req, long parent, long name, long newParent, long newName);
  }

  /** read, readdir. */
  public interface Read {
    @Delegate
    void call(long req, long ino, long size, long off, long fi);
  }

  public interface Write {
    @Delegate
    void call(long req, long ino, long buf, long size, long off, long fi);
  }

  public interface Fsync {
    @Delegate
    void call(long req, long ino, int datasync, long fi);
  }

  public interface Create {
    @Delegate
    void call(long req, long parent, long name, int mode, long fi);
  }

  public interface Poll {
    @Delegate
    void call(long req, long ino, long fi, long ph);
  }

  /** What libfuse calls when the kernel interrupts a request (fuse_req_interrupt_func). */
  public interface Interrupt {
    @Delegate
    void call(long req, long data);
  }

  private final Pointer table;
  // The closures live as long as these references: jnr-ffi frees a closure once its Java object
  // is collected.
  private final Object[] closures = new Object[SLOTS];
  private final Pointer[] pointers = new Pointer[SLOTS];

  Ops(Runnable init, NodeRequests r, FileRequests f) {
    Runtime runtime = Runtime.getSystemRuntime();
    table = runtime.getMemoryManager().allocateDirect(SLOTS * 8L, true);
    set(INIT, Init.class, (Init) (userdata, conn) -> init.run());
    set(LOOKUP, Named.class, (Named) r::lookup);
    set(FORGET, Forget.class, (Forget) r::forget);
    set(FORGET_MULTI, ForgetMulti.class, (ForgetMulti) r::forgetMulti);
    set(GETATTR, WithFile.class, (WithFile) r::getattr);
    set(SETATTR, Setattr.class, (Setattr) r::setattr);
    set(MKDIR, Mkdir.class, (Mkdir) r::mkdir);
    set(UNLINK, Named.class, (Named) r::unlink);
    set(RMDIR, Named.class, (Named) r::rmdir);
    set(RENAME, Rename.class, (Rename) r::rename);
    set(OPEN, WithFile.class, (WithFile) f::open);
    set(READ, Read.class, (Read) f::read);
    set(WRITE, Write.class, (Write) f::write);
    set(FLUSH, WithFile.class, (WithFile) f::flush);
    set(RELEASE, WithFile.class, (WithFile) f::release);
    set(FSYNC, Fsync.class, (Fsync) f::fsync);
    set(OPENDIR, WithFile.class, (WithFile) r::opendir);
    set(READDIR, Read.class, (Read) r::readdir);
    set(RELEASEDIR, WithFile.class, (WithFile) r::releasedir);
    set(CREATE, Create.class, (Create) f::create);
    set(POLL, Poll.class, (Poll) f::poll);
  }

  private <T> void set(int slot, Class<T> type, T closure) {
    Pointer p = Runtime.getSystemRuntime().getClosureManager().getClosurePointer(type, closure);
    closures[slot] = closure;
    pointers[slot] = p;
    table.putAddress(slot * 8L, p.address());
  }

  long address() {
    return table.address();
  }

  long size() {
    return SLOTS * 8L;
  }
}
