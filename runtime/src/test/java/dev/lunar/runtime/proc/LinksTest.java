package dev.lunar.runtime.proc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.runtime.ExitReason;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Links, trap-exits, monitors, names and timers, with Erlang's semantics. */
@Timeout(60)
class LinksTest {
  private final Node node = new Node(NodeConfig.defaults());

  @AfterEach
  void close() {
    node.close();
  }

  /** A process that waits until told to end, then ends with the text it was sent. */
  private Proc waiter(SpawnOptions options) throws Exception {
    return node.spawn(
        "waiter",
        self -> {
          String text = self.receive("end", -1).text();
          if (!text.equals("normal")) {
            throw new ProcessExit(new ExitReason(text, 1));
          }
        },
        options);
  }

  private void end(Proc p, String reason) throws Exception {
    node.send(p.pid(), new Message(0, "end", reason.getBytes(UTF_8)));
  }

  @Test
  void abnormalExitKillsLinkedProcess() throws Exception {
    Proc a = waiter(SpawnOptions.DEFAULT);
    Proc b = waiter(SpawnOptions.DEFAULT);
    node.link(a.pid(), b.pid());
    end(a, "crashed");
    assertEquals("crashed", a.awaitExit().text());
    assertEquals("linked " + a.pid() + ": crashed", b.awaitExit(5, TimeUnit.SECONDS).text());
  }

  @Test
  void normalExitDoesNotPropagate() throws Exception {
    Proc a = waiter(SpawnOptions.DEFAULT);
    Proc b = waiter(SpawnOptions.DEFAULT);
    node.link(a.pid(), b.pid());
    end(a, "normal");
    assertEquals(ExitReason.NORMAL, a.awaitExit());
    assertNull(b.awaitExit(200, TimeUnit.MILLISECONDS));
    assertTrue(b.node().get(b.pid()).links().isEmpty(), "the link goes with the process");
  }

  @Test
  void trappingProcessGetsExitMessageAndSurvives() throws Exception {
    var notice = new AtomicReference<Message>();
    Proc trapper =
        node.spawn(
            "trapper",
            self -> {
              notice.set(self.receive(Message.EXIT, -1));
              self.receive("end", -1);
            },
            SpawnOptions.DEFAULT.withTrapExits(true));
    Proc crasher = waiter(SpawnOptions.DEFAULT);
    node.link(trapper.pid(), crasher.pid());
    end(crasher, "trap: unreachable");
    crasher.awaitExit();
    awaitNotice(notice);
    assertEquals(Message.EXIT, notice.get().tag());
    assertEquals(crasher.pid() + " trap: unreachable", notice.get().text());
    assertNull(trapper.exitReason(), "a trapping process survives");
    end(trapper, "normal");
    assertEquals(ExitReason.NORMAL, trapper.awaitExit());
  }

  @Test
  void killIsNotTrappable() throws Exception {
    Proc trapper = waiter(SpawnOptions.DEFAULT.withTrapExits(true));
    node.kill(trapper.pid(), ExitReason.KILLED);
    assertEquals(ExitReason.KILLED, trapper.awaitExit(5, TimeUnit.SECONDS));
  }

  @Test
  void spawnLinkedToParent() throws Exception {
    Proc parent = waiter(SpawnOptions.DEFAULT);
    Proc child = waiter(SpawnOptions.DEFAULT.withParent(parent.pid()).withLink(true));
    assertEquals(parent.pid(), child.parent());
    end(child, "oops");
    assertEquals("linked " + child.pid() + ": oops", parent.awaitExit(5, TimeUnit.SECONDS).text());
  }

  @Test
  void monitorGetsDownMessage() throws Exception {
    var notice = new AtomicReference<Message>();
    Proc target = waiter(SpawnOptions.DEFAULT);
    Proc watcher =
        node.spawn(
            "watcher", self -> notice.set(self.receive(Message.DOWN, -1)), SpawnOptions.DEFAULT);
    node.monitor(watcher.pid(), target.pid());
    end(target, "normal");
    assertEquals(ExitReason.NORMAL, watcher.awaitExit(5, TimeUnit.SECONDS));
    assertEquals(target.pid() + " normal", notice.get().text());
  }

  @Test
  void demonitorStopsTheNotice() throws Exception {
    Proc target = waiter(SpawnOptions.DEFAULT);
    Proc watcher = waiter(SpawnOptions.DEFAULT);
    node.monitor(watcher.pid(), target.pid());
    assertTrue(node.demonitor(watcher.pid(), target.pid()));
    assertFalse(node.demonitor(watcher.pid(), target.pid()));
    end(target, "bye");
    target.awaitExit();
    Thread.sleep(50);
    assertEquals(0, watcher.queued());
  }

  @Test
  void linkOrMonitorOfDeadPidIsNoProc() throws Exception {
    Proc dead = node.spawn("dead", self -> {}, SpawnOptions.DEFAULT);
    dead.awaitExit();
    Proc alive = waiter(SpawnOptions.DEFAULT);
    var e = assertThrows(NoProcException.class, () -> node.link(alive.pid(), dead.pid()));
    assertEquals("noproc: " + dead.pid(), e.getMessage());
    assertThrows(NoProcException.class, () -> node.monitor(alive.pid(), dead.pid()));
  }

  @Test
  void namesReachTheProcessAndGoWithIt() throws Exception {
    var got = new AtomicReference<String>();
    Proc p =
        node.spawn(
            "named",
            self -> got.set(self.receive().text()),
            SpawnOptions.DEFAULT.withName("lobby"));
    assertEquals(p.pid(), node.whereis("lobby"));
    node.send("lobby", new Message(0, "", "hi".getBytes(UTF_8)));
    p.awaitExit();
    assertEquals("hi", got.get());
    assertEquals(0, node.whereis("lobby"));
    assertThrows(SendException.class, () -> node.send("lobby", new Message(0, "", new byte[0])));
  }

  @Test
  void aNameIsHeldByOneProcess() throws Exception {
    Proc a = waiter(SpawnOptions.DEFAULT.withName("svc"));
    Proc b = waiter(SpawnOptions.DEFAULT);
    var e = assertThrows(RegistryException.class, () -> node.register("svc", b.pid()));
    assertTrue(e.getMessage().contains("taken by process " + a.pid()), e.getMessage());
    assertThrows(RegistryException.class, () -> node.register("../etc", b.pid()));
    assertThrows(RegistryException.class, () -> node.register("other", a.pid()));
    assertTrue(node.unregister("svc"));
    node.register("svc", b.pid());
    assertEquals(b.pid(), node.whereis("svc"));
  }

  @Test
  void timerSendsAfterItsDelay() throws Exception {
    var waited = new long[1];
    Proc p =
        node.spawn(
            "timed",
            self -> {
              long start = System.nanoTime();
              self.node().sendAfter(100, self.pid(), new Message(0, "tick", new byte[0]));
              self.receive("tick", -1);
              waited[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            },
            SpawnOptions.DEFAULT);
    assertEquals(ExitReason.NORMAL, p.awaitExit(5, TimeUnit.SECONDS));
    assertTrue(waited[0] >= 100, "fired after " + waited[0] + " ms");
  }

  @Test
  void cancelledTimerNeverFires() throws Exception {
    Proc p = waiter(SpawnOptions.DEFAULT);
    Proc other = waiter(SpawnOptions.DEFAULT);
    long id = node.sendAfter(100, p.pid(), new Message(0, "end", "fired".getBytes(UTF_8)));
    assertFalse(node.cancelTimer(other.pid(), id), "only the receiver's timers");
    assertTrue(node.cancelTimer(p.pid(), id));
    assertFalse(node.cancelTimer(p.pid(), id));
    assertNull(p.awaitExit(300, TimeUnit.MILLISECONDS));
    assertEquals(0, p.queued());
  }

  private static void awaitNotice(AtomicReference<Message> notice) throws InterruptedException {
    var done = new CountDownLatch(1);
    for (int i = 0; i < 5000 && notice.get() == null; i++) {
      done.await(1, TimeUnit.MILLISECONDS);
    }
  }
}
