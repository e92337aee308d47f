package dev.lunar.fs.fuse;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Reads that wait for data (a mailbox with nothing queued) without holding up other requests, and
 * that end at once when the reader is interrupted (Ctrl-C on a {@code cat}).
 *
 * <p>A waiting read never calls {@code read(block = true)}: it tries without blocking, and on
 * {@link Errno#EAGAIN} hands the receiving to another thread, registers for the kernel's interrupt
 * (fuse_req_interrupt_func, which unparks it), asks the handle to wake it ({@link
 * Handle#readable}), parks, and checks for an interrupt before trying again. So an interrupted
 * reader gets {@code EINTR} and takes no message: nothing is read after the interrupt arrived.
 * Handles that do not notify are polled every 20 ms.
 */
final class WaitingReads {
  private static final long POLL = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long RECHECK = TimeUnit.SECONDS.toNanos(1);

  private final LibFuse.Api api;
  private final Receivers receivers;
  private final OpStats stats;
  private final Map<Long, Thread> waiting = new ConcurrentHashMap<>();
  // Held so that jnr-ffi keeps the native closure.
  private final Ops.Interrupt onInterrupt = this::interrupted;
  private final Pointer onInterruptPointer;

  WaitingReads(LibFuse.Api api, Receivers receivers, OpStats stats) {
    this.api = api;
    this.receivers = receivers;
    this.stats = stats;
    onInterruptPointer =
        Runtime.getSystemRuntime()
            .getClosureManager()
            .getClosurePointer(Ops.Interrupt.class, onInterrupt);
  }

  /** Reads into {@code dst}, waiting for data unless {@code nonblock}. */
  int read(long req, OpenFiles.OpenFile f, ByteBuffer dst, long off, boolean nonblock)
      throws FsException {
    Handle h = f.handle();
    try {
      synchronized (f) {
        return h.read(dst, off, false);
      }
    } catch (FsException e) {
      if (nonblock || e.errno() != Errno.EAGAIN) {
        throw e;
      }
    }
    Thread me = Thread.currentThread();
    waiting.put(req, me);
    api.fuse_req_interrupt_func(req, onInterruptPointer.address(), 0);
    receivers.handOff();
    try {
      int spins = 0;
      while (true) {
        boolean readable;
        synchronized (f) {
          readable = h.readable(me);
        }
        if (!readable) {
          LockSupport.parkNanos(this, h.notifies() ? RECHECK : POLL);
        } else if (++spins > 100) {
          LockSupport.parkNanos(this, POLL); // readable, yet EAGAIN: do not spin
        }
        if (api.fuse_req_interrupted(req) != 0) {
          stats.count(OpStats.Op.INTERRUPTED);
          throw new FsException(Errno.EINTR, "interrupted");
        }
        if (receivers.stopped()) {
          throw new FsException(Errno.EINTR, "the mount is closing");
        }
        try {
          synchronized (f) {
            return h.read(dst, off, false);
          }
        } catch (FsException e) {
          if (e.errno() != Errno.EAGAIN) {
            throw e;
          }
        }
      }
    } finally {
      waiting.remove(req);
    }
  }

  /** Wakes every waiting read, to see that the mount is closing. */
  void wakeAll() {
    waiting.values().forEach(LockSupport::unpark);
  }

  /** Called by libfuse, on the thread that received the kernel's interrupt. */
  private void interrupted(long req, long data) {
    Thread t = waiting.get(req);
    if (t != null) {
      LockSupport.unpark(t);
    }
  }
}
