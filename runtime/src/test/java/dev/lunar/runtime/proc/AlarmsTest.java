package dev.lunar.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Sleepers woken by {@link Alarms#wakeDue}, as a process ending its slice calls it, long before the
 * JDK's own timeout would wake them. No timing is asserted: the sleeps are an hour long.
 */
class AlarmsTest {
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);

  private static Thread sleeper(Alarms alarms, long nanos) {
    return Thread.ofPlatform().start(() -> alarms.parkNanos(alarms, nanos));
  }

  private static void awaitSleeping(Thread thread) throws InterruptedException {
    for (int i = 0; i < 6000 && thread.getState() != Thread.State.TIMED_WAITING; i++) {
      Thread.sleep(10);
    }
    assertEquals(Thread.State.TIMED_WAITING, thread.getState());
  }

  @Test
  void wakesOnlyTheSleepersThatAreDue() throws Exception {
    Alarms alarms = new Alarms();
    long start = System.nanoTime();
    Thread soon = sleeper(alarms, HOUR);
    awaitSleeping(soon);
    Thread later = sleeper(alarms, 3 * HOUR);
    awaitSleeping(later);

    alarms.wakeDue(start); // nothing is due yet
    assertFalse(soon.join(Duration.ofMillis(200)), "woken before its deadline");

    alarms.wakeDue(start + 2 * HOUR); // as if two hours had passed
    assertTrue(soon.join(Duration.ofSeconds(60)), "a due sleeper was not woken");
    assertTrue(later.isAlive(), "a sleeper not yet due was woken");

    alarms.wakeDue(start + 4 * HOUR);
    assertTrue(later.join(Duration.ofSeconds(60)));
  }

  @Test
  void aSleeperWokenOtherwiseIsForgotten() throws Exception {
    Alarms alarms = new Alarms();
    Thread sleeper = sleeper(alarms, HOUR);
    awaitSleeping(sleeper);
    assertEquals(1, alarms.size());
    sleeper.interrupt(); // parkNanos returns; the alarm must go with it
    assertTrue(sleeper.join(Duration.ofSeconds(60)));
    assertEquals(0, alarms.size());
    Thread next = sleeper(alarms, HOUR);
    awaitSleeping(next);
    alarms.wakeDue(System.nanoTime()); // not due
    assertTrue(next.isAlive());
    alarms.wakeDue(System.nanoTime() + 2 * HOUR);
    assertTrue(next.join(Duration.ofSeconds(60)));
    assertEquals(0, alarms.size());
  }
}
