package dev.lunar.runtime.proc;

import dev.lunar.runtime.Threads;
import java.lang.management.ManagementFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jdk.management.VirtualThreadSchedulerMXBean;

/**
 * Gives a carrier thread back to the virtual-thread scheduler for a moment, in a way that lets
 * every other runnable virtual thread go first.
 *
 * <p>A process that has computed for a while parks, and a platform thread unparks it once it has
 * really unmounted. The unpark comes from outside the scheduler, so the process is queued with
 * other outside submissions (new threads, timer and sleep wake-ups) instead of ahead of them, as
 * {@code Thread.yield()} may do (JDK-8296896).
 *
 * <p>Concurrency contract: {@link #yieldCarrier} is called by a virtual thread for itself; the
 * unparking thread is the only other party.
 */
final class Yielder implements AutoCloseable {
  private static final class Ticket {
    final Thread thread = Thread.currentThread();
    volatile boolean resumed;
  }

  private static final VirtualThreadSchedulerMXBean SCHEDULER =
      ManagementFactory.getPlatformMXBean(VirtualThreadSchedulerMXBean.class);

  private final LinkedBlockingQueue<Ticket> tickets = new LinkedBlockingQueue<>();
  private final Thread unparker;
  private volatile boolean closed;

  Yielder() {
    unparker = Threads.startPlatform("lunar-yielder", this::unparkLoop);
  }

  /**
   * Whether the scheduler holds virtual threads waiting for a carrier: only then is giving up the
   * carrier worth its cost (a park and an unpark from another thread, tens of microseconds).
   */
  static boolean othersQueued() {
    return SCHEDULER.getQueuedVirtualThreadCount() != 0;
  }

  /**
   * Parks the calling virtual thread until the scheduler has had a chance to run everything that
   * was waiting. Returns early if the thread is interrupted (the caller checks for a kill).
   */
  void yieldCarrier() {
    var ticket = new Ticket();
    tickets.add(ticket);
    while (!ticket.resumed && !closed) {
      LockSupport.park(this);
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
    }
  }

  private void unparkLoop() {
    while (!closed) {
      Ticket ticket;
      try {
        ticket = tickets.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (ticket == null) {
        continue;
      }
      // Wait until the thread has unmounted; a thread that is slow to get there (runnable but
      // not yet mounted) goes to the back, so it holds no one else up.
      int spins = 0;
      while (ticket.thread.getState() == Thread.State.RUNNABLE && spins++ < 1000) {
        Thread.onSpinWait();
      }
      if (ticket.thread.getState() == Thread.State.RUNNABLE) {
        tickets.add(ticket);
        continue;
      }
      ticket.resumed = true;
      LockSupport.unpark(ticket.thread);
    }
  }

  @Override
  public void close() {
    closed = true;
    unparker.interrupt();
    for (Ticket t : tickets) {
      LockSupport.unpark(t.thread);
    }
  }
}
