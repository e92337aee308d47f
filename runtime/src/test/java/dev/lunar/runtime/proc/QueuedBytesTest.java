package dev.lunar.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.runtime.ExitReason;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bytes a node holds for later: each mailbox's, and all of them with the pending timers
 * together. Limits here: 1,000-byte messages, 2,000 bytes per mailbox, 4,000 in all.
 */
@Timeout(60)
class QueuedBytesTest {
  private final Node node =
      new Node(NodeConfig.defaults().withLimits(1000, 100).withQueuedBytes(2000, 4000));

  @AfterEach
  void close() {
    node.close();
  }

  private Proc idle() throws Exception {
    return node.spawn("idle", self -> self.receive("stop", -1), SpawnOptions.DEFAULT);
  }

  private static Message kb() {
    return new Message(0, "", new byte[1000]);
  }

  private static SendException refused(Node node, long to) {
    return assertThrows(SendException.class, () -> node.send(to, kb()));
  }

  @Test
  void aMailboxHoldsItsBytesAndNoMore() throws Exception {
    Proc p = idle();
    node.send(p.pid(), kb());
    node.send(p.pid(), kb());
    SendException e = refused(node, p.pid());
    assertEquals(SendException.Reason.FULL, e.reason());
    assertEquals("mailbox of " + p.pid() + " is full (2000 bytes queued)", e.getMessage());
    assertEquals(2, p.queued());
    assertEquals(2000, node.queuedBytes());
  }

  @Test
  void theNodeHoldsItsBytesAndAReceiveGivesThemBack() throws Exception {
    Proc a = idle();
    Proc b = idle();
    Proc c =
        node.spawn(
            "reader",
            self -> {
              self.receive("go", -1);
              self.receive("", -1);
              self.receive("stop", -1);
            },
            SpawnOptions.DEFAULT);
    for (Proc p : new Proc[] {a, b}) {
      node.send(p.pid(), kb());
      node.send(p.pid(), kb());
    }
    SendException e = refused(node, c.pid());
    assertEquals(SendException.Reason.FULL, e.reason());
    assertTrue(e.getMessage().contains("mailboxes and timers are full"), e.getMessage());
    assertEquals(0, c.queued(), "nothing queued by a refused send");

    node.send(a.pid(), new Message(0, "stop", new byte[0])); // a ends, with 2,000 bytes queued
    assertEquals(ExitReason.NORMAL, a.awaitExit());
    assertEquals(2000, node.queuedBytes(), "an ended process keeps no messages");
    node.send(c.pid(), kb());
    node.send(c.pid(), new Message(0, "go", new byte[0]));
    for (int i = 0; i < 1000 && node.queuedBytes() != 2000; i++) {
      Thread.sleep(5);
    }
    assertEquals(2000, node.queuedBytes(), "a receive gives its bytes back");
  }

  @Test
  void aPendingTimerCountsUntilItFiresOrIsCancelled() throws Exception {
    Proc p = idle();
    long first = node.sendAfter(60_000, p.pid(), kb());
    long second = node.sendAfter(60_000, p.pid(), kb());
    node.sendAfter(60_000, p.pid(), kb());
    node.sendAfter(60_000, p.pid(), kb());
    assertThrows(SendException.class, () -> node.sendAfter(60_000, p.pid(), kb()));
    assertThrows(SendException.class, () -> node.send(p.pid(), kb()));
    assertTrue(node.cancelTimer(p.pid(), first));
    assertEquals(3000, node.queuedBytes());
    node.send(p.pid(), kb());
    assertFalse(node.cancelTimer(p.pid() + 1, second), "another process's timer");
    long soon = node.sendAfter(1, p.pid(), new Message(0, "stop", new byte[0]));
    assertTrue(soon > second);
    assertEquals(ExitReason.NORMAL, p.awaitExit(30, TimeUnit.SECONDS));
  }

  @Test
  void theTimersOfAProcessThatEndsGiveTheirBytesBack() throws Exception {
    Proc p = idle();
    long timer = node.sendAfter(3_600_000, p.pid(), kb());
    node.sendAfter(3_600_000, p.pid(), kb());
    assertEquals(2000, node.queuedBytes());
    node.send(p.pid(), new Message(0, "stop", new byte[0]));
    assertEquals(ExitReason.NORMAL, p.awaitExit());
    assertEquals(0, node.queuedBytes(), "an ended process's timers hold nothing");
    assertFalse(node.cancelTimer(p.pid(), timer), "cancelled already");
    // One set for a process that has ended holds nothing either.
    node.sendAfter(3_600_000, p.pid(), kb());
    assertEquals(0, node.queuedBytes());
  }
}
