package dev.lunar.runtime.proc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.runtime.ExitReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Supervision carried out by the runtime: strategies, restart kinds and the restart limit. */
@Timeout(60)
class SupervisorTest {
  private final Node node = new Node(NodeConfig.defaults());

  @AfterEach
  void close() {
    node.close();
  }

  /** A child that runs until it gets any message, then crashes. */
  private ChildSpec crashOnMessage(String id, ChildSpec.Restart restart, AtomicInteger starts) {
    return new ChildSpec(
        id,
        restart,
        (n, options) -> {
          starts.incrementAndGet();
          return n.spawn(
              id,
              self -> {
                self.receive();
                throw new ProcessExit(ExitReason.trap("crash"));
              },
              options);
        });
  }

  private static Proc awaitNewChild(Supervisor sup, int index, Proc old) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Proc now = sup.child(index);
      if (now != null && now != old) {
        return now;
      }
      assertTrue(System.nanoTime() < deadline, "child " + index + " was not restarted");
      Thread.sleep(1);
    }
  }

  private void poke(Proc p) throws Exception {
    node.send(p.pid(), new Message(0, "", new byte[0]));
  }

  @Test
  void oneForOneRestartsOnlyTheCrashedChild() throws Exception {
    var startsA = new AtomicInteger();
    var startsB = new AtomicInteger();
    var sup =
        Supervisor.of(
            new SupervisorSpec(
                SupervisorSpec.Strategy.ONE_FOR_ONE,
                3,
                Duration.ofSeconds(5),
                List.of(
                    crashOnMessage("a", ChildSpec.Restart.PERMANENT, startsA),
                    crashOnMessage("b", ChildSpec.Restart.PERMANENT, startsB))));
    Proc supervisor = sup.start(node, SpawnOptions.DEFAULT);
    Proc a = awaitNewChild(sup, 0, null);
    Proc b = awaitNewChild(sup, 1, null);
    poke(a);
    assertTrue(a.awaitExit().text().startsWith("trap: "));
    Proc a2 = awaitNewChild(sup, 0, a);
    assertNotEquals(a.pid(), a2.pid());
    assertEquals(a2.parent(), supervisor.pid());
    assertSame(b, sup.child(1));
    assertEquals(2, startsA.get());
    assertEquals(1, startsB.get());
    assertNull(supervisor.exitReason());
  }

  @Test
  void givesUpBeyondItsRestartLimit() throws Exception {
    var starts = new AtomicInteger();
    var sup =
        Supervisor.of(
            new SupervisorSpec(
                SupervisorSpec.Strategy.ONE_FOR_ONE,
                2,
                Duration.ofSeconds(30),
                List.of(crashOnMessage("c", ChildSpec.Restart.PERMANENT, starts))));
    Proc supervisor = sup.start(node, SpawnOptions.DEFAULT);
    Proc child = null;
    for (int i = 0; i < 3; i++) {
      child = awaitNewChild(sup, 0, child);
      poke(child);
      child.awaitExit();
    }
    assertEquals(Supervisor.GAVE_UP, supervisor.awaitExit(10, TimeUnit.SECONDS));
    assertEquals(3, starts.get(), "the first start and two restarts");
  }

  @Test
  void oneForAllRestartsEveryChild() throws Exception {
    var startsA = new AtomicInteger();
    var startsB = new AtomicInteger();
    var sup =
        Supervisor.of(
            new SupervisorSpec(
                SupervisorSpec.Strategy.ONE_FOR_ALL,
                3,
                Duration.ofSeconds(5),
                List.of(
                    crashOnMessage("a", ChildSpec.Restart.PERMANENT, startsA),
                    crashOnMessage("b", ChildSpec.Restart.PERMANENT, startsB))));
    sup.start(node, SpawnOptions.DEFAULT);
    Proc a = awaitNewChild(sup, 0, null);
    Proc b = awaitNewChild(sup, 1, null);
    poke(b);
    assertEquals("shutdown", a.awaitExit(5, TimeUnit.SECONDS).text());
    awaitNewChild(sup, 0, a);
    awaitNewChild(sup, 1, b);
    assertEquals(2, startsA.get());
    assertEquals(2, startsB.get());
  }

  @Test
  void restForOneRestartsTheLaterChildren() throws Exception {
    var starts =
        new AtomicInteger[] {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    var sup =
        Supervisor.of(
            new SupervisorSpec(
                SupervisorSpec.Strategy.REST_FOR_ONE,
                3,
                Duration.ofSeconds(5),
                List.of(
                    crashOnMessage("a", ChildSpec.Restart.PERMANENT, starts[0]),
                    crashOnMessage("b", ChildSpec.Restart.PERMANENT, starts[1]),
                    crashOnMessage("c", ChildSpec.Restart.PERMANENT, starts[2]))));
    sup.start(node, SpawnOptions.DEFAULT);
    Proc a = awaitNewChild(sup, 0, null);
    Proc b = awaitNewChild(sup, 1, null);
    Proc c = awaitNewChild(sup, 2, null);
    poke(b);
    awaitNewChild(sup, 1, b);
    awaitNewChild(sup, 2, c);
    assertSame(a, sup.child(0));
    assertEquals(1, starts[0].get());
    assertEquals(2, starts[1].get());
    assertEquals(2, starts[2].get());
  }

  @Test
  void temporaryAndTransientChildren() throws Exception {
    var startsTemp = new AtomicInteger();
    var startsTrans = new AtomicInteger();
    var sup =
        Supervisor.of(
            new SupervisorSpec(
                SupervisorSpec.Strategy.ONE_FOR_ONE,
                3,
                Duration.ofSeconds(5),
                List.of(
                    crashOnMessage("temp", ChildSpec.Restart.TEMPORARY, startsTemp),
                    new ChildSpec(
                        "trans",
                        ChildSpec.Restart.TRANSIENT,
                        (n, options) -> {
                          startsTrans.incrementAndGet();
                          return n.spawn("trans", self -> self.receive(), options);
                        }))));
    Proc supervisor = sup.start(node, SpawnOptions.DEFAULT);
    Proc temp = awaitNewChild(sup, 0, null);
    Proc trans = awaitNewChild(sup, 1, null);
    poke(temp);
    poke(trans); // ends normally: a transient child is not restarted
    temp.awaitExit();
    assertEquals(ExitReason.NORMAL, trans.awaitExit());
    Thread.sleep(100);
    assertNull(sup.child(0));
    assertNull(sup.child(1));
    assertEquals(1, startsTemp.get());
    assertEquals(1, startsTrans.get());
    assertNull(supervisor.exitReason());
  }

  @Test
  void aTemporaryChildIsNotRestartedWithItsSiblings() throws Exception {
    for (var strategy :
        List.of(SupervisorSpec.Strategy.ONE_FOR_ALL, SupervisorSpec.Strategy.REST_FOR_ONE)) {
      var startsTemp = new AtomicInteger();
      var startsPerm = new AtomicInteger();
      var sup =
          Supervisor.of(
              new SupervisorSpec(
                  strategy,
                  3,
                  Duration.ofSeconds(5),
                  List.of(
                      crashOnMessage("perm", ChildSpec.Restart.PERMANENT, startsPerm),
                      crashOnMessage("temp", ChildSpec.Restart.TEMPORARY, startsTemp))));
      sup.start(node, SpawnOptions.DEFAULT);
      Proc perm = awaitNewChild(sup, 0, null);
      Proc temp = awaitNewChild(sup, 1, null);
      poke(perm);
      assertEquals("shutdown", temp.awaitExit(5, TimeUnit.SECONDS).text(), strategy.name());
      awaitNewChild(sup, 0, perm);
      Thread.sleep(100);
      assertNull(sup.child(1), strategy.name());
      assertEquals(1, startsTemp.get(), strategy.name());
      assertEquals(2, startsPerm.get(), strategy.name());
    }
  }

  @Test
  void aForgedExitNoticeIsIgnored() throws Exception {
    var starts = new AtomicInteger();
    var sup =
        Supervisor.of(
            new SupervisorSpec(
                SupervisorSpec.Strategy.ONE_FOR_ONE,
                3,
                Duration.ofSeconds(5),
                List.of(crashOnMessage("a", ChildSpec.Restart.PERMANENT, starts))));
    Proc supervisor = sup.start(node, SpawnOptions.DEFAULT);
    Proc a = awaitNewChild(sup, 0, null);
    Proc forger =
        node.spawn(
            "forger",
            self -> {
              long to = supervisor.pid();
              self.send(to, Message.EXIT, (a.pid() + " crash").getBytes(UTF_8));
              self.send(to, Message.EXIT, "junk".getBytes(UTF_8));
              self.send(to, Message.EXIT, (self.pid() + " crash").getBytes(UTF_8));
            },
            SpawnOptions.DEFAULT);
    assertEquals(ExitReason.NORMAL, forger.awaitExit());
    node.send(supervisor.pid(), new Message(0, Message.EXIT, (a.pid() + " x").getBytes(UTF_8)));
    Thread.sleep(200);
    assertNull(supervisor.exitReason());
    assertSame(a, sup.child(0));
    assertEquals(1, starts.get(), "no second copy of a running child");
    poke(a); // a real crash is still seen
    awaitNewChild(sup, 0, a);
    assertEquals(2, starts.get());
  }

  private static void assertSame(Proc expected, Proc actual) {
    assertEquals(expected.pid(), actual.pid());
  }
}
