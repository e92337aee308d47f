package dev.lunar.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Run tokens, driven by plain threads: who gets the token in which order. No timing is asserted;
 * waits are generous bounds on events that must happen, and a wait that never ends fails the test.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CpuTest {
  /** A thread that takes a token, notes its name, and hands the token back. */
  private static Thread runner(Cpu cpu, String name, boolean urgent, List<String> order) {
    return Thread.ofPlatform()
        .start(() -> {
          try {
            cpu.acquire(urgent);
            order.add(name);
            cpu.release();
          } catch (InterruptedException e) {
            order.add(name + " interrupted");
          }
        });
  }

  /** Waits until {@code thread} is parked (in the token queue). */
  private static void awaitParked(Thread thread) throws InterruptedException {
    awaitParked(thread, Thread.State.WAITING);
  }

  private static void awaitParked(Thread thread, Thread.State state) throws InterruptedException {
    for (int i = 0; i < 6000 && thread.getState() != state; i++) {
      Thread.sleep(10);
    }
    assertEquals(state, thread.getState(), thread.getName() + " never queued");
  }

  @Test
  void yieldHandsTheTokenToTheLongestWaiterAndAnUrgentOneGoesFirst() throws Exception {
    Cpu cpu = new Cpu(1);
    cpu.acquire(false);
    List<String> order = new CopyOnWriteArrayList<>();
    Thread first = runner(cpu, "first", false, order);
    awaitParked(first);
    Thread second = runner(cpu, "second", false, order);
    awaitParked(second);
    Thread urgent = runner(cpu, "urgent", true, order);
    awaitParked(urgent);
    cpu.release();
    for (Thread t : List.of(first, second, urgent)) {
      t.join(60_000);
    }
    assertEquals(List.of("urgent", "first", "second"), order);
  }

  @Test
  void aTokenFreedToMakeWayGoesToTheNextThreadToAskNotToTheQueue() throws Exception {
    Cpu cpu =
        new Cpu(
            1, TimeUnit.HOURS.toNanos(1), new Alarms()); // waits as long as it takes the newcomer
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch madeWay = new CountDownLatch(1);
    Thread maker =
        Thread.ofPlatform()
            .start(() -> {
              try {
                cpu.acquire(false);
                holding.countDown();
                madeWay.await();
                cpu.makeWay();
                events.add("maker back");
                cpu.release();
              } catch (InterruptedException e) {
                events.add("maker interrupted");
              }
            });
    assertTrue(holding.await(60, TimeUnit.SECONDS));
    List<String> order = new CopyOnWriteArrayList<>();
    Thread queued = runner(cpu, "queued", false, order);
    awaitParked(queued);
    madeWay.countDown();
    // The maker frees its token and waits; a thread that asks now gets it at once, ahead of the
    // one that was queued (which the made-way token would otherwise have woken on this carrier).
    awaitParked(maker, Thread.State.TIMED_WAITING);
    cpu.acquire(true);
    order.add("newcomer");
    cpu.release();
    queued.join(60_000);
    assertEquals("maker back", events.poll(60, TimeUnit.SECONDS));
    maker.join(60_000);
    assertEquals(List.of("newcomer", "queued"), order);
  }

  @Test
  void aProcessThatMadeWayForNobodyTakesItsTokenBack() throws Exception {
    Cpu cpu = new Cpu(1);
    cpu.acquire(false);
    cpu.makeWay(); // nothing else asks: it returns holding the token again
    List<String> order = new CopyOnWriteArrayList<>();
    Thread other = runner(cpu, "other", false, order);
    awaitParked(other); // the token is held, so the other thread must wait
    assertTrue(order.isEmpty());
    cpu.release();
    other.join(60_000);
    assertEquals(List.of("other"), order);
  }

  @Test
  void aProcessThatMadeWayWaitsOnAnAlarm() throws Exception {
    // So that a process ending its slice wakes it (Alarms.wakeDue), not the JDK's timer from a
    // platform thread. It makes way again and again until the test has seen its alarm.
    Alarms alarms = new Alarms();
    Cpu cpu = new Cpu(1, TimeUnit.MILLISECONDS.toNanos(20), alarms);
    var seen = new AtomicBoolean();
    Thread maker =
        Thread.ofPlatform()
            .start(() -> {
              try {
                cpu.acquire(false);
                for (int i = 0; i < 3000 && !seen.get(); i++) {
                  cpu.makeWay();
                }
                cpu.release();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    while (maker.isAlive() && !seen.get()) {
      if (alarms.size() == 1) {
        seen.set(true);
      }
      Thread.onSpinWait();
    }
    maker.join(60_000);
    assertTrue(seen.get(), "the made-way wait was never noted as an alarm");
    assertEquals(0, alarms.size());
  }

  @Test
  void makingWayWithATokenFreeReturnsAtOnce() throws Exception {
    // Were it to park, it would wait an hour for a newcomer that never comes (see @Timeout).
    Cpu cpu = new Cpu(2, TimeUnit.HOURS.toNanos(1), new Alarms());
    cpu.acquire(false);
    cpu.makeWay();
    // It kept its token, and the free one is still there for another thread.
    List<String> order = new CopyOnWriteArrayList<>();
    runner(cpu, "other", false, order).join(60_000);
    assertEquals(List.of("other"), order);
  }

  @Test
  void anInterruptedWaiterLeavesTheQueue() throws Exception {
    Cpu cpu = new Cpu(1);
    cpu.acquire(false);
    List<String> order = new CopyOnWriteArrayList<>();
    Thread gone = runner(cpu, "gone", false, order);
    awaitParked(gone);
    gone.interrupt();
    gone.join(60_000);
    Thread next = runner(cpu, "next", false, order);
    awaitParked(next);
    cpu.release();
    next.join(60_000);
    assertEquals(List.of("gone interrupted", "next"), order);
  }
}
