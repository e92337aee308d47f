package dev.lunar.runtime.net;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.tree.Text;

/** Small helpers of the {@code /net} files: snapshots, ports, and waiting as a process. */
final class NetText {
  private NetText() {}

  /** A read-only handle on text taken at open. */
  static Handle snapshot(String text) {
    return Handle.of(Text.bytes(text));
  }

  /** Something that may wait, and fail with an errno. */
  @FunctionalInterface
  interface Wait<T> {
    T call() throws InterruptedException, FsException;
  }

  /** Runs {@code call}, which may wait, with the caller's carrier given up meanwhile. */
  static <T> T waiting(Proc caller, Wait<T> call) throws FsException {
    try {
      if (caller == null) {
        return call.call();
      }
      return caller.blocking(() -> {
        try {
          return call.call();
        } catch (FsException e) {
          throw new Failed(e);
        }
      });
    } catch (Failed f) {
      throw f.error;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FsException(Errno.EINTR, "interrupted");
    }
  }

  /** Carries an errno out of {@link Proc#blocking}, which lets only interrupts through. */
  private static final class Failed extends RuntimeException {
    final FsException error;

    Failed(FsException error) {
      super(null, null, false, false);
      this.error = error;
    }
  }

  /** A port as written in a path: 1-65535, digits only, no leading zero; 0 if not one. */
  static int parsePort(String name) {
    long port = name.length() <= 5 ? Text.number(name) : 0;
    return port <= 65535 ? (int) port : 0;
  }
}
