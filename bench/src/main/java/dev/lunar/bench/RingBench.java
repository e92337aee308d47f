package dev.lunar.bench;

import dev.lunar.runtime.proc.Message;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.SpawnOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Messages per second around a ring of Java-bodied processes (wasm guests cannot message yet): a
 * token goes around SIZE processes LAPS times; timed from the first send to its last return.
 */
final class RingBench {
  private RingBench() {}

  static void run(String[] args) throws Exception {
    int size = Integer.parseInt(args[0]);
    int laps = Integer.parseInt(args[1]);
    ring(size, Math.max(1, laps / 5)); // warm-up
    double seconds = ring(size, laps);
    Report.line("ring.lunar", (double) size * laps / seconds, "msgs/s");
  }

  /** Seconds for the token's laps; ring set-up is not timed. */
  private static double ring(int size, int laps) throws Exception {
    try (Node node = new Node(NodeConfig.defaults())) {
      List<Proc> ring = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        ring.add(node.spawn("member", self -> forward(self, laps), SpawnOptions.DEFAULT));
      }
      var go = new java.util.concurrent.CountDownLatch(1);
      long[] took = new long[1];
      Proc home =
          node.spawn(
              "home",
              self -> {
                go.await();
                long start = System.nanoTime();
                for (int r = 0; r < laps; r++) {
                  self.send(ring.get(0).pid(), "token", bytes(0));
                  self.receive("token", -1);
                }
                took[0] = System.nanoTime() - start;
              },
              SpawnOptions.DEFAULT);
      for (int i = 0; i < size; i++) {
        long next = i + 1 < size ? ring.get(i + 1).pid() : home.pid();
        node.send(ring.get(i).pid(), new Message(0, "next", bytes(next)));
      }
      go.countDown();
      if (!home.awaitExit().isNormal()) {
        throw new IllegalStateException("ring broke");
      }
      return took[0] / 1e9;
    }
  }

  /** A member learns its successor from its first message, then forwards the token each lap. */
  private static void forward(Proc self, int laps) throws Exception {
    long next = ByteBuffer.wrap(self.receive("next", -1).body()).getLong();
    for (int r = 0; r < laps; r++) {
      Message token = self.receive("token", -1);
      self.send(next, "token", bytes(ByteBuffer.wrap(token.body()).getLong() + 1));
    }
  }

  private static byte[] bytes(long value) {
    return ByteBuffer.allocate(8).putLong(value).array();
  }
}
