package dev.lunar.runtime.proc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.runtime.ExitReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Spawning, messages, kill and the process table, driven by Java-bodied processes. */
@Timeout(60)
class NodeTest {
  private final Node node = new Node(NodeConfig.defaults().withLimits(1024, 4));

  @AfterEach
  void close() {
    node.close();
  }

  private Proc spawn(ProcessBody body) throws Exception {
    return node.spawn("test", body, SpawnOptions.DEFAULT);
  }

  private static Message text(String tag, String body) {
    return new Message(0, tag, body.getBytes(UTF_8));
  }

  @Test
  void pidsCountUpAndAreNeverReused() throws Exception {
    long last = 0;
    for (int i = 0; i < 100; i++) {
      Proc p = spawn(self -> {});
      assertTrue(p.pid() > last);
      last = p.pid();
      assertEquals(ExitReason.NORMAL, p.awaitExit());
    }
    assertEquals(0, node.count());
  }

  @Test
  void pingPong() throws Exception {
    Proc pong =
        spawn(self -> {
          for (int i = 0; i < 1000; i++) {
            Message m = self.receive();
            self.send(m.from(), "pong", m.body());
          }
        });
    var replies = new ArrayList<String>();
    Proc ping =
        spawn(self -> {
          for (int i = 0; i < 1000; i++) {
            self.send(pong.pid(), "ping", Integer.toString(i).getBytes(UTF_8));
            replies.add(self.receive().text());
          }
        });
    assertEquals(ExitReason.NORMAL, ping.awaitExit());
    assertEquals(ExitReason.NORMAL, pong.awaitExit());
    assertEquals(1000, replies.size());
    assertEquals("999", replies.get(999));
  }

  @Test
  void orderIsKeptBetweenTwoProcesses() throws Exception {
    var got = new CopyOnWriteArrayList<Integer>();
    Proc receiver =
        spawn(self -> {
          for (int i = 0; i < 3000; i++) {
            got.add(Integer.parseInt(self.receive().text()));
          }
        });
    var bigNode = node;
    for (int s = 0; s < 3; s++) {
      int sender = s;
      spawn(self -> {
        for (int i = 0; i < 1000; i++) {
          while (true) {
            try {
              bigNode.send(
                  receiver.pid(),
                  new Message(self.pid(), "", Integer.toString(sender * 1000 + i).getBytes(UTF_8)));
              break;
            } catch (SendException e) {
              assertEquals(SendException.Reason.FULL, e.reason());
              self.yieldSlice();
            }
          }
        }
      });
    }
    assertEquals(ExitReason.NORMAL, receiver.awaitExit());
    int[] next = {0, 1000, 2000};
    for (int v : got) {
      int sender = v / 1000;
      assertEquals(next[sender]++, v, "per-sender order");
    }
  }

  @Test
  void selectiveReceiveTakesTheTaggedMessageAndKeepsTheRest() throws Exception {
    var seen = new CopyOnWriteArrayList<String>();
    var ready = new CountDownLatch(1);
    Proc p =
        spawn(self -> {
          ready.await();
          seen.add(self.receive("b", -1).text());
          seen.add(self.receive().text());
          seen.add(self.receive().text());
        });
    node.send(p.pid(), text("a", "first"));
    node.send(p.pid(), text("c", "second"));
    node.send(p.pid(), text("b", "third"));
    ready.countDown();
    assertEquals(ExitReason.NORMAL, p.awaitExit());
    assertEquals(List.of("third", "first", "second"), seen);
  }

  @Test
  void receiveTimesOut() throws Exception {
    var result = new Message[] {text("", "unset")};
    Proc p = spawn(self -> result[0] = self.receive(null, TimeUnit.MILLISECONDS.toNanos(50)));
    assertEquals(ExitReason.NORMAL, p.awaitExit());
    assertNull(result[0]);
  }

  @Test
  void messageBodiesAreCopiedAtSend() throws Exception {
    var got = new byte[1][];
    var sent = new CountDownLatch(1);
    Proc receiver =
        spawn(self -> {
          sent.await();
          got[0] = self.receive().body();
        });
    byte[] body = {1, 2, 3};
    spawn(self -> {
      self.send(receiver.pid(), "", body);
      body[0] = 9;
      sent.countDown();
    });
    receiver.awaitExit();
    assertArrayEquals(new byte[] {1, 2, 3}, got[0]);
  }

  @Test
  void oversizedMessageIsRefusedWithAReason() throws Exception {
    Proc p = spawn(self -> self.receive());
    var e =
        assertThrows(
            SendException.class, () -> node.send(p.pid(), new Message(0, "", new byte[1025])));
    assertEquals(SendException.Reason.TOO_BIG, e.reason());
    assertTrue(e.getMessage().contains("1025"), e.getMessage());
    node.send(p.pid(), new Message(0, "", new byte[1024]));
    assertEquals(ExitReason.NORMAL, p.awaitExit());
  }

  @Test
  void fullMailboxIsRefusedNotDropped() throws Exception {
    var go = new CountDownLatch(1);
    var got = new CopyOnWriteArrayList<String>();
    Proc p =
        spawn(self -> {
          go.await();
          for (int i = 0; i < 4; i++) {
            got.add(self.receive().text());
          }
        });
    for (int i = 0; i < 4; i++) {
      node.send(p.pid(), text("", "m" + i));
    }
    var e = assertThrows(SendException.class, () -> node.send(p.pid(), text("", "m4")));
    assertEquals(SendException.Reason.FULL, e.reason());
    assertEquals(4, p.queued());
    go.countDown();
    p.awaitExit();
    assertEquals(List.of("m0", "m1", "m2", "m3"), got);
  }

  @Test
  void sendToDeadProcessIsNoProc() throws Exception {
    Proc p = spawn(self -> {});
    p.awaitExit();
    var e = assertThrows(SendException.class, () -> node.send(p.pid(), text("", "x")));
    assertEquals(SendException.Reason.NO_PROC, e.reason());
  }

  @Test
  void killEndsAProcessBlockedInReceive() throws Exception {
    var waiting = new CountDownLatch(1);
    Proc p =
        spawn(self -> {
          waiting.countDown();
          self.receive();
        });
    waiting.await();
    awaitState(p, ProcState.WAITING);
    node.kill(p.pid(), ExitReason.KILLED);
    assertEquals(ExitReason.KILLED, p.awaitExit(5, TimeUnit.SECONDS));
  }

  @Test
  void killEndsAProcessInASleep() throws Exception {
    Proc p =
        spawn(self ->
            self.blocking(() -> {
              Thread.sleep(60_000);
              return null;
            }));
    awaitState(p, ProcState.WAITING);
    node.kill(p.pid(), ExitReason.killed("stop"));
    assertEquals("stop", p.awaitExit(5, TimeUnit.SECONDS).text());
  }

  @Test
  void killOfUnknownPidIsNoProc() {
    assertThrows(NoProcException.class, () -> node.kill(12345, ExitReason.KILLED));
  }

  @Test
  void exitedProcessStaysInspectableForAWhile() throws Exception {
    Proc p =
        spawn(self -> {
          throw new ProcessExit(ExitReason.exit(3));
        });
    p.awaitExit();
    assertNull(node.get(p.pid()));
    assertEquals(ProcState.EXITED, node.find(p.pid()).state());
    assertEquals("exit 3", node.find(p.pid()).exitReason().text());
  }

  @Test
  void crashOfAJavaBodyIsATrapWithItsMessage() throws Exception {
    Proc p =
        spawn(self -> {
          throw new IllegalStateException("boom");
        });
    ExitReason reason = p.awaitExit();
    assertTrue(reason.text().startsWith("trap: ") && reason.text().contains("boom"), reason.text());
    assertNotEquals(0, reason.exitCode());
  }

  static void awaitState(Proc p, ProcState state) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (p.state() != state) {
      assertTrue(System.nanoTime() < deadline, "never reached " + state + ", is " + p.state());
      Thread.sleep(1);
    }
  }
}
