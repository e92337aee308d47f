package dev.lunar.fs.fuse;

import com.kenai.jffi.MemoryIO;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Paths;
import java.nio.ByteOrder;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.IgnoreError;

/**
 * libfuse 2's low-level API ({@code fuse_lowlevel.h}, 2.9), bound with jnr-ffi, and raw access to
 * native memory. Pointers travel as {@code long} addresses (a C {@code long} on LP64), so calls and
 * callbacks allocate nothing on the Java side.
 */
final class LibFuse {
  /** Native memory by address. */
  static final MemoryIO MEMORY = MemoryIO.getInstance();

  private LibFuse() {}

  /** The loaded library; fails with {@link UnsatisfiedLinkError} without libfuse 2. */
  static Api api() {
    return Loaded.API;
  }

  /** Why libfuse 2 cannot be used here, or null if it can. */
  static String unavailable() {
    String platform = unsupportedPlatform();
    if (platform != null) {
      return platform;
    }
    try {
      api();
      return null;
    } catch (LinkageError e) {
      return "libfuse.so.2 not found (install libfuse2 and fuse; scripts/setup does): "
          + e.getMessage();
    }
  }

  /**
   * The functions called. Errno is not saved: every one reports its errors in its result. Public
   * only because jnr-ffi implements it in another class loader.
   */
  @IgnoreError
  public interface Api {
    int fuse_opt_add_arg(long args, String arg);

    void fuse_opt_free_args(long args);

    /** Mounts and returns the channel, or 0 (libfuse prints why on stderr). */
    long fuse_mount(String mountpoint, long args);

    void fuse_unmount(String mountpoint, long ch);

    long fuse_lowlevel_new(long args, long ops, long opsSize, long userdata);

    void fuse_session_add_chan(long se, long ch);

    void fuse_session_remove_chan(long ch);

    void fuse_session_destroy(long se);

    /** Reads one request; {@code chp} is the address of a {@code struct fuse_chan *}. */
    int fuse_chan_recv(long chp, long buf, long size);

    long fuse_chan_bufsize(long ch);

    void fuse_session_process(long se, long buf, long len, long ch);

    int fuse_reply_err(long req, int err);

    void fuse_reply_none(long req);

    int fuse_reply_entry(long req, long entryParam);

    int fuse_reply_create(long req, long entryParam, long fileInfo);

    int fuse_reply_attr(long req, long stat, double attrTimeout);

    int fuse_reply_write(long req, long count);

    int fuse_reply_buf(long req, long buf, long size);

    int fuse_req_interrupted(long req);

    int fuse_reply_poll(long req, int revents);

    int fuse_lowlevel_notify_poll(long ph);

    void fuse_pollhandle_destroy(long ph);

    /** The caller of a request: {@code struct fuse_ctx}, whose uid is its first 32 bits. */
    long fuse_req_ctx(long req);

    void fuse_req_interrupt_func(long req, long func, long data);
  }

  /** Why the structure layouts used here are wrong for this machine, or null if they are right. */
  private static String unsupportedPlatform() {
    String os = System.getProperty("os.name", "");
    String arch = System.getProperty("os.arch", "");
    if (!os.equals("Linux")) {
      return "FUSE mounts are supported on Linux only, not " + os;
    }
    if (!(arch.equals("amd64") || arch.equals("aarch64"))
        || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      return "FUSE mounts are supported on amd64 and aarch64 only, not " + arch;
    }
    return null;
  }

  /** The NUL-terminated UTF-8 name at {@code address}; {@code EINVAL} if it is not UTF-8. */
  static String string(long address) throws FsException {
    return Paths.utf8(MEMORY.getZeroTerminatedByteArray(address));
  }

  private static final class Loaded {
    static final Api API = load();

    private static Api load() {
      try {
        return LibraryLoader.create(Api.class).failImmediately().load("fuse");
      } catch (UnsatisfiedLinkError | RuntimeException e) {
        // Without the -dev package there is no libfuse.so, only libfuse.so.2.
        return LibraryLoader.create(Api.class).failImmediately().load("libfuse.so.2");
      }
    }
  }
}
