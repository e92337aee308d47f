package dev.lunar.runtime.proc;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Run tokens: at most {@code slots} processes execute guest code at once (one per carrier thread);
 * the others wait in a queue, and a process at the end of its slice hands its token to the longest
 * waiter. A process returning from a wait (a message, a timer) queues at the front, so it runs
 * within one slice even beside many spinning processes.
 *
 * <p>A token handed over wakes its new holder from the old holder's carrier, which queues it there,
 * locally, and the virtual-thread scheduler runs a carrier's local queue dry before it looks at
 * anything submitted from outside (a thread woken by a timer or by the host, a new spawn). So a
 * process that sees such threads waiting {@linkplain #makeWay makes way}: it frees its token and
 * parks, which leaves its carrier with nothing of its own to run. Nothing calls {@code
 * Thread.yield()}: a carrier keeps draining the queue a yielding thread went back to, so when every
 * carrier runs a process that keeps yielding, outside work starves (JDK-8296896).
 *
 * <p>Concurrency contract: any thread may call any method, but a token belongs to the thread that
 * acquired it, and only that thread may release, yield or make way with it.
 */
final class Cpu {
  /**
   * How long a process that made way waits before it hands a token still free to the first process
   * queued (itself, if no other waits), should no process come for it (what the carrier ran was not
   * a process, or finished at once).
   */
  static final long MADE_WAY_NANOS = 50_000;

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private volatile int queued; // queue.size(), for reading without the lock
  private final long patience;
  private final Alarms alarms;
  private int free;

  Cpu(int slots) {
    this(slots, MADE_WAY_NANOS, new Alarms());
  }

  /**
   * With how long a process that made way waits for someone to take its token, and the alarms that
   * processes ending their slices ring ({@link Alarms#wakeDue}), which end that wait.
   */
  Cpu(int slots, long patience, Alarms alarms) {
    if (slots < 1 || patience < 1) {
      throw new IllegalArgumentException("slots and patience must be positive");
    }
    this.free = slots;
    this.patience = patience;
    this.alarms = alarms;
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
      handOutFree();
    } finally {
      unlock();
    }
    await(waiter, 0);
  }

  /** Gives the caller's token to the first waiter, or back to the pool. */
  void release() {
    lock.lock();
    try {
      free++;
      handOutFree();
    } finally {
      unlock();
    }
  }

  /**
   * Ends the caller's slice: if anyone waits, hands the token to the first waiter and queues behind
   * the others; otherwise returns at once, keeping the token.
   *
   * @throws InterruptedException if interrupted while waiting; the caller then holds no token
   */
  void yield() throws InterruptedException {
    Waiter waiter;
    lock.lock();
    try {
      Waiter next = queue.pollFirst();
      if (next == null) {
        return;
      }
      grant(next);
      waiter = new Waiter();
      queue.addLast(waiter);
      handOutFree(); // a token freed by a process that made way
    } finally {
      unlock();
    }
    await(waiter, 0);
  }

  /**
   * Ends the caller's slice in favour of threads waiting for a carrier, unless a token is free
   * already: frees the token, queues last for one, and parks, so that the carrier turns to the
   * scheduler's other queues. A process among those threads takes the free token, or any process
   * ending its slice hands it on; should neither happen, after the caller's patience ({@link
   * #MADE_WAY_NANOS} by default) it goes to the first process queued, the caller itself if no other
   * waits.
   *
   * @throws InterruptedException if interrupted while waiting; the caller then holds no token
   */
  void makeWay() throws InterruptedException {
    Waiter waiter = new Waiter();
    lock.lock();
    try {
      if (free > 0) {
        return; // a carrier is free of processes already
      }
      queue.addLast(waiter);
      free++;
    } finally {
      unlock();
    }
    await(waiter, patience);
  }

  /** Unlocks, publishing the queue's length for {@link #processesWaiting}. */
  private void unlock() {
    queued = queue.size();
    lock.unlock();
  }

  /** Whether processes wait for a token. */
  boolean processesWaiting() {
    return queued != 0;
  }

  /** Gives free tokens to the first waiters. Lock held. */
  private void handOutFree() {
    Waiter next;
    while (free > 0 && (next = queue.pollFirst()) != null) {
      free--;
      grant(next);
    }
  }

  private static void grant(Waiter waiter) {
    waiter.granted = true;
    if (waiter.thread != Thread.currentThread()) {
      LockSupport.unpark(waiter.thread);
    }
  }

  /**
   * Parks until granted. With {@code patience}, hands out free tokens once, after that long (the
   * caller's own turn may come then), however often the thread woke meanwhile.
   */
  private void await(Waiter waiter, long patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience;
    boolean patient = patience > 0;
    while (!waiter.granted) {
      if (!patient) {
        LockSupport.park(this);
      } else if (deadline - System.nanoTime() > 0) {
        // On an alarm, not on the JDK's timer alone: that one wakes the thread from a platform
        // thread, as outside work, which the processes computing then make way for in turn.
        alarms.parkNanos(this, deadline - System.nanoTime());
      } else {
        patient = false;
        lock.lock();
        try {
          if (!waiter.granted) {
            handOutFree();
          }
        } finally {
          unlock();
        }
      }
      if (Thread.interrupted()) {
        lock.lock();
        try {
          if (!waiter.granted) {
            queue.remove(waiter);
            throw new InterruptedException();
          }
        } finally {
          unlock();
        }
        // Granted just as we were interrupted: keep the token, keep the interrupt for the caller.
        Thread.currentThread().interrupt();
      }
    }
  }
}
