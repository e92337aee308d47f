package dev.lunar.runtime.wasi;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Whether a read of the JVM's own standard input (fd 0) would return at once: data, or its end.
 * Java has no way to tell the end of a pipe from a pipe with nothing in it yet ({@code available()}
 * is 0 for both), so this asks {@code poll(2)} through jnr-ffi, which the FUSE adapter brings.
 */
final class StdinPoll {
  private static final short POLLIN = 0x1;
  private static final short POLLERR = 0x8;
  private static final short POLLHUP = 0x10;

  /** The one libc call. */
  public interface LibC {
    int poll(Pointer fds, long count, int timeoutMillis);
  }

  private static final LibC LIBC = load();

  private StdinPoll() {}

  /** True or false by poll(2); null if it could not be asked. */
  static Boolean ready() {
    if (LIBC == null) {
      return null;
    }
    Pointer fds = Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(LIBC), 8); // struct pollfd
    fds.putInt(0, 0);
    fds.putShort(4, POLLIN);
    fds.putShort(6, (short) 0);
    if (LIBC.poll(fds, 1, 0) < 0) {
      return null;
    }
    return (fds.getShort(6) & (POLLIN | POLLHUP | POLLERR)) != 0;
  }

  private static LibC load() {
    try {
      return LibraryLoader.create(LibC.class).failImmediately().load("c");
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      return null;
    }
  }
}
