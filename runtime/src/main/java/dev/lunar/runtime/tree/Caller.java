package dev.lunar.runtime.tree;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.runtime.proc.Proc;

/** Who is calling: a process, or the host (null). */
final class Caller {
  private Caller() {}

  static long pid(Proc caller) {
    return caller == null ? 0 : caller.pid();
  }

  static boolean owns(Proc caller, Proc target) {
    return caller != null && caller.pid() == target.pid();
  }

  /** Runs {@code call}, which may wait, with the caller's carrier given up meanwhile. */
  static <T> T waiting(Proc caller, Proc.Blocking<T> call) throws FsException {
    try {
      return caller != null ? caller.blocking(call) : call.call();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FsException(Errno.EINTR, "interrupted");
    }
  }
}
