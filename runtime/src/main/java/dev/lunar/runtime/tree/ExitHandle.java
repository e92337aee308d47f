package dev.lunar.runtime.tree;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.proc.Proc;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/** {@code /proc/<pid>/exit}: a read waits for the process to end, then gives the reason. */
final class ExitHandle implements Handle {
  private final Proc caller;
  private final Proc target;
  private final Answer answer = new Answer();
  private boolean answered;
  private volatile Thread waiter;
  private boolean watching;

  ExitHandle(Proc caller, Proc target) {
    this.caller = caller;
    this.target = target;
  }

  @Override
  public boolean stream() {
    return true;
  }

  @Override
  public int read(ByteBuffer dst, long offset, boolean block) throws FsException {
    if (!answered) {
      ExitReason reason = target.exitReason();
      if (reason == null && !block) {
        throw new FsException(Errno.EAGAIN, "process " + target.pid() + " is still running");
      }
      if (reason == null) {
        reason = Caller.waiting(caller, target::awaitExit);
      }
      answer.set(reason.text() + "\n");
      answered = true;
    }
    return answer.read(dst);
  }

  @Override
  public boolean readable(Thread waiter) {
    if (answered || target.exitReason() != null) {
      return true;
    }
    this.waiter = waiter;
    if (!watching) {
      watching = true;
      target.onExit(r -> {
        Thread t = this.waiter;
        if (t != null) {
          LockSupport.unpark(t);
        }
      });
    }
    return target.exitReason() != null;
  }
}
