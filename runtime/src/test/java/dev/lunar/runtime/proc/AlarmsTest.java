package dev.lunar.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sleepers woken by {@link Alarms#wakeDue}, as a process ending its slice calls it. The sleepers
 * here park with no timeout of their own, so only {@code wakeDue} can wake them; no timing is
 * asserted.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AlarmsTest {
  /** A thread that notes {@code deadline} and parks until unparked. */
  private static Thread sleeper(Alarms alarms, long deadline) {
    return Thread.ofPlatform()
        .start(() -> {
          Alarms.Alarm alarm = alarms.add(deadline);
          LockSupport.park(alarms);
          alarms.remove(alarm);
        });
  }

  private static void awaitState(Thread thread, Thread.State state) throws InterruptedException {
    for (int i = 0; i < 6000 && thread.getState() != state; i++) {
      Thread.sleep(10);
    }
    assertEquals(state, thread.getState());
  }

  @Test
  void wakesOnlyTheSleepersThatAreDue() throws Exception {
    Alarms alarms = new Alarms();
    long start = System.nanoTime();
    Thread soon = sleeper(alarms, start + 1_000);
    Thread later = sleeper(alarms, start + 2_000);
    awaitState(soon, Thread.State.WAITING);
    awaitState(later, Thread.State.WAITING);

    alarms.wakeDue(start); // nothing is due yet
    assertEquals(2, alarms.size());

    alarms.wakeDue(start + 1_000); // the first is due
    assertTrue(soon.join(Duration.ofSeconds(60)), "a due sleeper was not woken");
    assertEquals(Thread.State.WAITING, later.getState(), "a sleeper not yet due was woken");
    assertEquals(1, alarms.size());

    alarms.wakeDue(start + 5_000);
    assertTrue(later.join(Duration.ofSeconds(60)));
    assertEquals(0, alarms.size());
  }

  @Test
  void aSleeperWokenOtherwiseIsForgotten() throws Exception {
    Alarms alarms = new Alarms();
    // A second at most, the longest noted; a slow machine may see it end by itself, alarm gone.
    Thread sleeper = Thread.ofPlatform().start(() -> alarms.parkNanos(alarms, Alarms.MAX_NANOS));
    for (int i = 0; i < 6000 && alarms.size() == 0 && sleeper.isAlive(); i++) {
      Thread.sleep(1);
    }
    sleeper.interrupt(); // parkNanos returns early; its alarm must go with it
    assertTrue(sleeper.join(Duration.ofSeconds(60)));
    assertEquals(0, alarms.size());
  }

  @Test
  void sleepsLongerThanASecondAreLeftToTheJdksTimer() throws Exception {
    Alarms alarms = new Alarms();
    Thread sleeper =
        Thread.ofPlatform().start(() -> alarms.parkNanos(alarms, Alarms.MAX_NANOS + 1));
    awaitState(sleeper, Thread.State.TIMED_WAITING);
    assertEquals(0, alarms.size());
    sleeper.interrupt();
    assertTrue(sleeper.join(Duration.ofSeconds(60)));
  }
}
