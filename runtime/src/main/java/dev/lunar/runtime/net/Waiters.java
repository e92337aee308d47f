package dev.lunar.runtime.net;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Threads waiting for something to change (a connection to arrive, bytes to come in): {@link #wake}
 * unparks them all, and each checks again. A waiter adds itself before it checks, so a change
 * between its check and its park is never missed (the unpark is kept for the park).
 *
 * <p>Concurrency contract: every method may be called from any thread.
 */
final class Waiters {
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

  /** {@code thread} is unparked at every later {@link #wake} until {@link #remove}. */
  void add(Thread thread) {
    threads.add(thread);
  }

  void remove(Thread thread) {
    if (thread != null) {
      threads.remove(thread);
    }
  }

  void wake() {
    for (Thread t : threads) {
      LockSupport.unpark(t);
    }
  }

  /** Parks the calling thread until {@code ready} holds. */
  void await(BooleanSupplier ready) throws InterruptedException {
    Thread me = Thread.currentThread();
    threads.add(me);
    try {
      while (!ready.getAsBoolean()) {
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        LockSupport.park(this);
      }
    } finally {
      threads.remove(me);
    }
  }
}
