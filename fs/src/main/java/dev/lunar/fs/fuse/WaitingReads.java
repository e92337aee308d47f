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
 * that end at once when the reader is interrupted (Ctrl-C on a {@code cat}); writes that wait for
 * room (a connection whose peer is slow) the same way.
 *
 * <p>A waiting read never calls {@code read(block = true)}: it tries without blocking, and on
 * {@link Errno#EAGAIN} hands the receiving to another thread, registers for the kernel's interrupt
 * (fuse_req_interrupt_func, which unparks it), asks the handle to wake it ({@link
 * Handle#readable}), parks, and checks for an interrupt before trying again. So an interrupted
 * reader gets {@code EINTR} and takes no message: nothing is read after the interrupt arrived.
 * Handles that do not notify are polled every 20 ms.
 *
 * <p>{@link #poll} answers poll(2) and select(2) the same way: a stream is readable when its handle
 * says so, and writable unless a write would wait; when it is not both, one watcher per open file
 * waits for a change as a read would, then tells the kernel to ask again. So a {@code select} with
 * a timeout on a connection with nothing to read (or too much to send) times out, instead of
 * letting its caller into a read (or write) that blocks.
 */
final class WaitingReads {
  private static final long POLL = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long RECHECK = TimeUnit.SECONDS.toNanos(1);

  private final LibFuse.Api api;
  private final Receivers receivers;
  private final OpStats stats;
  private final Map<Long, Thread> waiting = new ConcurrentHashMap<>();
  private final OpenFiles files;

  /** The poll handle to notify for an open file that a watcher waits on. */
  private final Map<OpenFiles.OpenFile, Watch> polls = new ConcurrentHashMap<>();

  // Held so that jnr-ffi keeps the native closure.
  private final Ops.Interrupt onInterrupt = this::interrupted;
  private final Pointer onInterruptPointer;

  WaitingReads(LibFuse.Api api, Receivers receivers, OpStats stats, OpenFiles files) {
    this.api = api;
    this.files = files;
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
    startWaiting(req, me);
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
        checkStillWanted(req);
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

  /**
   * Writes {@code src}, waiting for room unless {@code nonblock}: a write that would wait (a
   * connection whose peer is slow to read, {@link Handle#writesWait}) waits as a read does, out of
   * the handle and off the thread that receives requests, so that an interrupt (Ctrl-C, or a
   * SIGKILL of the writer) ends it with {@code EINTR}, and so does the mount closing. Another
   * handle's {@code EAGAIN} (a full mailbox) is a refusal, answered at once.
   */
  int write(long req, OpenFiles.OpenFile f, ByteBuffer src, long off, boolean nonblock)
      throws FsException {
    Handle h = f.handle();
    try {
      synchronized (f) {
        return h.write(src, off, false);
      }
    } catch (FsException e) {
      if (nonblock || e.errno() != Errno.EAGAIN || !h.writesWait()) {
        throw e;
      }
    }
    Thread me = Thread.currentThread();
    int length = src.remaining();
    startWaiting(req, me);
    try {
      int spins = 0;
      while (true) {
        boolean room;
        synchronized (f) {
          room = h.writable(me, length);
        }
        if (!room) {
          LockSupport.parkNanos(this, RECHECK);
        } else if (++spins > 100) {
          LockSupport.parkNanos(this, POLL); // room, yet EAGAIN: do not spin
        }
        checkStillWanted(req);
        try {
          synchronized (f) {
            return h.write(src, off, false);
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

  /**
   * Before a request waits: the kernel's interrupt for it unparks {@code me}, and another thread
   * takes over receiving requests.
   */
  private void startWaiting(long req, Thread me) {
    waiting.put(req, me);
    api.fuse_req_interrupt_func(req, onInterruptPointer.address(), 0);
    receivers.handOff();
  }

  /**
   * After each park of a waiting request: {@code EINTR} if it was interrupted or the mount goes.
   */
  private void checkStillWanted(long req) throws FsException {
    if (api.fuse_req_interrupted(req) != 0) {
      stats.count(OpStats.Op.INTERRUPTED);
      throw new FsException(Errno.EINTR, "interrupted");
    }
    if (receivers.stopped()) {
      throw new FsException(Errno.EINTR, "the mount is closing");
    }
  }

  // poll(2)'s bits.
  private static final int POLLIN = 0x1;
  private static final int POLLOUT = 0x4;
  private static final int POLLRDNORM = 0x40;
  private static final int POLLWRNORM = 0x100;

  /** A poll handle to notify, and what the poll that gave it was told. */
  private record Watch(long ph, boolean readable, boolean writable) {}

  /**
   * Answers a poll of {@code f}: readable unless it is a stream whose handle has nothing to read,
   * writable unless its handle says a write would wait ({@link Handle#writable(Thread)}). Then, if
   * the kernel gave a poll handle {@code ph} to notify and {@code f} was not both, a watcher
   * notifies it once either may have changed.
   */
  void poll(long req, long fh, OpenFiles.OpenFile f, long ph) {
    Thread me = Thread.currentThread();
    boolean readable = !f.stream() || readable(f, me);
    boolean writable = writable(f, me);
    int events = (readable ? POLLIN | POLLRDNORM : 0) | (writable ? POLLOUT | POLLWRNORM : 0);
    api.fuse_reply_poll(req, events);
    if (ph == 0) {
      return;
    }
    if (readable && writable) {
      api.fuse_pollhandle_destroy(ph);
      return;
    }
    Watch old = polls.put(f, new Watch(ph, readable, writable));
    if (old != null) {
      api.fuse_pollhandle_destroy(old.ph); // that file's watcher notifies the new one
    } else {
      Thread.ofVirtual().name("lunar-fuse-poll").start(() -> watch(fh, f));
    }
  }

  private static boolean readable(OpenFiles.OpenFile f, Thread waiter) {
    synchronized (f) {
      return f.handle().readable(waiter);
    }
  }

  private static boolean writable(OpenFiles.OpenFile f, Thread waiter) {
    synchronized (f) {
      return f.handle().writable(waiter);
    }
  }

  /**
   * Waits until {@code f} may have become what the latest poll of it was told it is not (readable,
   * writable), or is closed, or the mount closes; then notifies.
   */
  private void watch(long fh, OpenFiles.OpenFile f) {
    Thread me = Thread.currentThread();
    boolean open;
    while ((open = files.fileOrNull(fh) == f && !receivers.stopped()) && !changed(f, me)) {
      LockSupport.parkNanos(this, f.handle().notifies() ? RECHECK : POLL);
    }
    Watch w = polls.remove(f);
    if (w != null) {
      if (open) {
        api.fuse_lowlevel_notify_poll(w.ph);
      }
      api.fuse_pollhandle_destroy(w.ph);
    }
  }

  private boolean changed(OpenFiles.OpenFile f, Thread me) {
    Watch w = polls.get(f);
    return w == null || !w.readable && readable(f, me) || !w.writable && writable(f, me);
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
