package dev.lunar.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.TestModules;
import dev.lunar.runtime.Threads;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Preemption and fairness with a single carrier thread (surefire runs this class in its own JVM
 * with {@code jdk.virtualThreadScheduler.parallelism=1}). Processes spinning in call-free loops
 * must neither starve each other nor starve processes woken by a message, a timer, a sleep or a new
 * spawn. The generous timeouts are liveness bounds, not performance figures: starvation would hang
 * until they expire.
 */
@Timeout(120)
class OneCarrierTest {
  private static final int SPINNERS = 3;

  private final Node node = new Node(NodeConfig.defaults().withSliceReductions(2000));
  private final List<Proc> spinners = new ArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private GuestSpec spec(String... args) {
    return TestModules.spec(out, args);
  }

  private LoadedModule load(String example) throws Exception {
    return ModuleLoader.inMemory(false).load(example, TestModules.example(example));
  }

  @BeforeEach
  void startSpinners() throws Exception {
    // A -Dtest=OneCarrierTest runs this class in the ordinary execution too: skip it there, but
    // only there (a JVM with one carrier, or marked as the one-carrier execution, runs it).
    assumeTrue(
        Boolean.getBoolean("lunar.test.oneCarrier") || Threads.carriers() == 1,
        "runs in the one-carrier execution");
    assertEquals(1, Threads.carriers(), "this test needs a JVM with one carrier thread");
    var spin = load("spin");
    for (int i = 0; i < SPINNERS; i++) {
      spinners.add(node.spawn(spin, spec(), SpawnOptions.DEFAULT));
    }
  }

  @AfterEach
  void close() {
    node.close();
  }

  @Test
  void spinningProcessesAllMakeProgress() throws Exception {
    long[] before = new long[SPINNERS];
    Thread.sleep(300);
    for (int i = 0; i < SPINNERS; i++) {
      before[i] = spinners.get(i).reductions();
    }
    Thread.sleep(300);
    for (int i = 0; i < SPINNERS; i++) {
      assertTrue(
          spinners.get(i).reductions() > before[i],
          "spinner " + i + " made no progress: " + spinners.get(i).reductions());
    }
  }

  @Test
  void pingPongRunsBesideSpinners() throws Exception {
    Proc pong =
        node.spawn(
            "pong",
            self -> {
              for (int i = 0; i < 200; i++) {
                Message m = self.receive();
                self.send(m.from(), "", m.body());
              }
            },
            SpawnOptions.DEFAULT);
    Proc ping =
        node.spawn(
            "ping",
            self -> {
              for (int i = 0; i < 200; i++) {
                self.send(pong.pid(), "", new byte[] {(byte) i});
                self.receive();
              }
            },
            SpawnOptions.DEFAULT);
    assertEquals(ExitReason.NORMAL, ping.awaitExit(60, TimeUnit.SECONDS));
    assertEquals(ExitReason.NORMAL, pong.awaitExit(60, TimeUnit.SECONDS));
  }

  @Test
  void timerWakesAProcessBesideSpinners() throws Exception {
    Proc sleeper =
        node.spawn(
            "timer",
            self -> {
              for (int i = 0; i < 20; i++) {
                self.node().sendAfter(5, self.pid(), new Message(0, "tick", new byte[0]));
                self.receive("tick", -1);
              }
            },
            SpawnOptions.DEFAULT);
    assertEquals(ExitReason.NORMAL, sleeper.awaitExit(60, TimeUnit.SECONDS));
  }

  @Test
  void sleepingWasmWakesBesideSpinners() throws Exception {
    Proc sleeper = node.spawn(load("sleep"), spec("50"), SpawnOptions.DEFAULT);
    assertEquals(ExitReason.NORMAL, sleeper.awaitExit(60, TimeUnit.SECONDS));
    assertTrue(out.toString().contains("slept 50 ms"));
  }

  @Test
  void newSpawnRunsBesideSpinners() throws Exception {
    var ran = new CountDownLatch(1);
    node.spawn("newcomer", self -> ran.countDown(), SpawnOptions.DEFAULT);
    assertTrue(ran.await(60, TimeUnit.SECONDS), "a new process never ran");
    var hello = node.spawn(load("hello"), spec(), SpawnOptions.DEFAULT);
    assertEquals(ExitReason.NORMAL, hello.awaitExit(60, TimeUnit.SECONDS));
  }

  @Test
  void hostThreadsAreNotStarved() throws Exception {
    // Work submitted from outside the scheduler, as JDK-8296896 describes.
    var done = new CountDownLatch(50);
    for (int i = 0; i < 50; i++) {
      Threads.startProcess(done::countDown);
    }
    assertTrue(done.await(60, TimeUnit.SECONDS), "virtual threads started from outside starved");
  }

  @Test
  void spinnerCanBeKilledAndTheOthersGoOn() throws Exception {
    node.kill(spinners.get(0).pid(), ExitReason.KILLED);
    assertEquals(ExitReason.KILLED, spinners.get(0).awaitExit(60, TimeUnit.SECONDS));
    assertNull(spinners.get(1).exitReason());
  }

  @Test
  void reductionLimitEndsASpinner() throws Exception {
    Proc limited = node.spawn(load("spin"), spec(), SpawnOptions.DEFAULT.withMaxReductions(50_000));
    assertEquals(ExitReason.REDUCTIONS_EXHAUSTED, limited.awaitExit(60, TimeUnit.SECONDS));
    assertTrue(limited.reductions() >= 50_000, "used " + limited.reductions());
  }

  @Test
  void aStartFunctionIsCountedToo() throws Exception {
    // The module's start function runs while its instance is built, before _start.
    var module =
        ModuleLoader.inMemory(false)
            .load(
                "forever-start",
                TestModules.wat(
                    """
                    (module (memory 1)
                      (func $forever (loop $l (br $l)))
                      (start $forever)
                      (func (export "_start")))
                    """));
    Proc limited = node.spawn(module, spec(), SpawnOptions.DEFAULT.withMaxReductions(50_000));
    assertEquals(ExitReason.REDUCTIONS_EXHAUSTED, limited.awaitExit(60, TimeUnit.SECONDS));
    assertNull(spinners.get(0).exitReason(), "the spinners go on");
  }
}
