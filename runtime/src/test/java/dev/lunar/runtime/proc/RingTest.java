package dev.lunar.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lunar.runtime.ExitReason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A ring of 10k processes passing a token: every process forwards it, rounds times. */
@Timeout(120)
class RingTest {
  static final int SIZE = 10_000;
  static final int ROUNDS = 10;

  @Test
  void tokenGoesAroundTheRing() throws Exception {
    try (Node node = new Node(NodeConfig.defaults())) {
      // Each member learns its successor from its first message, then forwards tokens.
      List<Proc> ring = new ArrayList<>();
      for (int i = 0; i < SIZE; i++) {
        ring.add(
            node.spawn(
                "member",
                self -> {
                  long next = ByteBuffer.wrap(self.receive("next", -1).body()).getLong();
                  for (int r = 0; r < ROUNDS; r++) {
                    Message token = self.receive("token", -1);
                    long hops = ByteBuffer.wrap(token.body()).getLong() + 1;
                    self.send(next, "token", ByteBuffer.allocate(8).putLong(hops).array());
                  }
                },
                SpawnOptions.DEFAULT));
      }
      var hops = new long[1];
      Proc home =
          node.spawn(
              "home",
              self -> {
                for (int r = 0; r < ROUNDS; r++) {
                  self.send(
                      ring.get(0).pid(), "token", ByteBuffer.allocate(8).putLong(hops[0]).array());
                  hops[0] = ByteBuffer.wrap(self.receive("token", -1).body()).getLong();
                }
              },
              SpawnOptions.DEFAULT);
      for (int i = 0; i < SIZE; i++) {
        long next = i + 1 < SIZE ? ring.get(i + 1).pid() : home.pid();
        node.send(
            ring.get(i).pid(),
            new Message(0, "next", ByteBuffer.allocate(8).putLong(next).array()));
      }
      assertEquals(ExitReason.NORMAL, home.awaitExit());
      assertEquals((long) SIZE * ROUNDS, hops[0]);
      for (Proc p : ring) {
        assertEquals(ExitReason.NORMAL, p.awaitExit());
      }
    }
  }
}
