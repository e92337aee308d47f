package dev.lunar.fs.fuse;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The threads that read requests from the kernel and run them, leader/followers style: one thread
 * at a time reads (the receiver) and runs what it read itself, so a quick request costs one thread
 * wake-up, not a hand-over between threads. A thread about to wait (a read on an empty mailbox)
 * hands the receiving over first ({@link #handOff}), to an idle thread or a new one; so does a
 * watchdog for a request that runs longer than {@code slowAfter}. Idle threads beyond {@code
 * maxIdle} end.
 *
 * <p>Measured on the 2-vCPU test machine, libfuse's own multithreaded loop, which keeps several
 * threads blocked reading the device and so wakes a different one for each request, took 8× longer
 * per request than one thread; these threads are Java threads, so callbacks also skip jffi's attach
 * and detach of a native thread (docs/FUSE.md).
 *
 * <p>Thread-safe; the threads come from the given factory.
 */
final class Receivers {
  /** Reads one request into a worker's buffer: its length, 0 once unmounted, or -errno. */
  interface Source {
    int receive(Worker w);

    void process(Worker w, int length);
  }

  private static final int EINTR = 4;
  private static final int EAGAIN = 11;
  private static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();

  private final Source source;
  private final ThreadFactory threads;
  private final Function<Thread, Worker> workers;
  private final int maxIdle;
  private final long slowAfterNanos;
  private final AtomicReference<Worker> receiver = new AtomicReference<>();
  private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
  private final Set<Thread> running = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;
  private Thread watchdog;

  Receivers(
      Source source,
      ThreadFactory threads,
      Function<Thread, Worker> workers,
      int maxIdle,
      long slowAfterNanos) {
    this.source = source;
    this.threads = threads;
    this.workers = workers;
    this.maxIdle = maxIdle;
    this.slowAfterNanos = slowAfterNanos;
  }

  /** The worker of the calling receiver thread. */
  static Worker current() {
    return CURRENT.get();
  }

  void start() {
    startThread();
    watchdog = threads.newThread(this::watch);
    watchdog.start();
  }

  /** Lets another thread read requests while the calling one waits. */
  void handOff() {
    Worker w = CURRENT.get();
    if (w != null) {
      handOff(w);
    }
  }

  boolean stopped() {
    return stopped;
  }

  /**
   * Stops taking requests: threads end once their request is done, or at their next request (the
   * caller makes one to wake the receiver). Returns the threads still running.
   */
  Set<Thread> stop() {
    stopped = true;
    for (Worker w : idle) {
      LockSupport.unpark(w.thread);
    }
    if (watchdog != null) {
      LockSupport.unpark(watchdog);
    }
    return running;
  }

  /** Waits up to {@code millis} for every thread to end; true if they all did. */
  boolean awaitStopped(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    for (Thread t : Set.copyOf(running)) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !t.join(Duration.ofNanos(left))) {
        return running.isEmpty();
      }
    }
    return running.isEmpty();
  }

  private void startThread() {
    Thread t = threads.newThread(this::run);
    running.add(t);
    t.start();
  }

  private void run() {
    Thread me = Thread.currentThread();
    Worker w = null;
    try {
      w = workers.apply(me);
      CURRENT.set(w);
      while (!stopped) {
        if (!takeTurn(w)) {
          if (!waitTurn(w)) {
            return;
          }
          continue;
        }
        int n = source.receive(w);
        if (n == -EINTR || n == -EAGAIN) {
          continue;
        }
        if (n <= 0) {
          stopped = true; // unmounted, or the device failed
          stop();
          return;
        }
        w.busySince = System.nanoTime() | 1;
        try {
          source.process(w, n);
        } finally {
          w.busySince = 0;
        }
      }
    } finally {
      if (w != null) {
        if (receiver.get() == w) {
          handOff(w);
        }
        CURRENT.remove();
        w.free();
      }
      running.remove(me);
    }
  }

  private boolean takeTurn(Worker w) {
    Worker r = receiver.get();
    return r == w || (r == null && receiver.compareAndSet(null, w));
  }

  /** Waits until handed the receiving; false if this thread should end instead. */
  private boolean waitTurn(Worker w) {
    if (idle.size() >= maxIdle) {
      return false;
    }
    idle.push(w);
    while (receiver.get() != w && !stopped) {
      LockSupport.park(this);
    }
    idle.remove(w);
    return !stopped;
  }

  private void handOff(Worker from) {
    if (stopped) {
      receiver.compareAndSet(from, null);
      return;
    }
    Worker next = idle.poll();
    if (receiver.compareAndSet(from, next)) {
      if (next != null) {
        LockSupport.unpark(next.thread);
      } else {
        startThread();
      }
    } else if (next != null) {
      idle.push(next);
    }
  }

  /** Hands the receiving over from a request that has run for longer than slowAfter. */
  private void watch() {
    long period = Math.max(slowAfterNanos, TimeUnit.MILLISECONDS.toNanos(1));
    while (!stopped) {
      LockSupport.parkNanos(this, period);
      Worker r = receiver.get();
      long since = r == null ? 0 : r.busySince;
      if (since != 0 && System.nanoTime() - since > slowAfterNanos) {
        handOff(r);
      }
    }
  }
}
