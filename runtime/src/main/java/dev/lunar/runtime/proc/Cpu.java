package dev.lunar.runtime.proc;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Run tokens: at most {@code slots} processes execute guest code at once (one per carrier thread);
 * the others wait in a queue, and a process at the end of its slice hands its token to the longest
 * waiter.
 *
 * <p>Why not {@code Thread.yield()}: a virtual thread that yields goes back to its carrier's local
 * queue, and when every carrier runs a process that keeps yielding, tasks submitted from outside (a
 * timer firing, a new spawn, a message from a platform thread) can starve (JDK-8296896). Here a
 * process that yields to a waiter parks instead, so its carrier returns to the scheduler, which
 * serves every queue. A process returning from a wait (a message, a timer) queues at the front, so
 * it runs within one slice even beside many spinning processes.
 *
 * <p>Concurrency contract: any thread may call any method, but a token belongs to the thread that
 * acquired it, and only that thread may release or yield it.
 */
final class Cpu {
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private int free;

  Cpu(int slots) {
    if (slots < 1) {
      throw new IllegalArgumentException("slots must be positive: " + slots);
    }
    this.free = slots;
  }

  private static final class Waiter {
    final Thread thread = Thread.currentThread();
    volatile boolean granted;
  }

  /**
   * Takes a token, waiting if none is free.
   *
   * @param urgent queue at the front: the caller returns from a wait and should run soon
   * @throws InterruptedException if interrupted while waiting; the caller then holds no token
   */
  void acquire(boolean urgent) throws InterruptedException {
    Waiter waiter = new Waiter();
    lock.lock();
    try {
      if (free > 0 && queue.isEmpty()) {
        free--;
        return;
      }
      if (urgent) {
        queue.addFirst(waiter);
      } else {
        queue.addLast(waiter);
      }
    } finally {
      lock.unlock();
    }
    await(waiter);
  }

  /** Gives the caller's token to the first waiter, or back to the pool. */
  void release() {
    lock.lock();
    try {
      Waiter next = queue.pollFirst();
      if (next == null) {
        free++;
      } else {
        grant(next);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Ends the caller's slice: if anyone waits, hands the token to the first waiter and queues behind
   * the others; otherwise returns at once, keeping the token.
   *
   * @return true if the caller waited for its turn (and so gave up its carrier meanwhile)
   * @throws InterruptedException if interrupted while waiting; the caller then holds no token
   */
  boolean yield() throws InterruptedException {
    Waiter waiter;
    lock.lock();
    try {
      Waiter next = queue.pollFirst();
      if (next == null) {
        return false;
      }
      grant(next);
      waiter = new Waiter();
      queue.addLast(waiter);
    } finally {
      lock.unlock();
    }
    await(waiter);
    return true;
  }

  private static void grant(Waiter waiter) {
    waiter.granted = true;
    LockSupport.unpark(waiter.thread);
  }

  private void await(Waiter waiter) throws InterruptedException {
    while (!waiter.granted) {
      LockSupport.park(this);
      if (Thread.interrupted()) {
        lock.lock();
        try {
          if (!waiter.granted) {
            queue.remove(waiter);
            throw new InterruptedException();
          }
        } finally {
          lock.unlock();
        }
        // Granted just as we were interrupted: keep the token, keep the interrupt for the caller.
        Thread.currentThread().interrupt();
      }
    }
  }
}
