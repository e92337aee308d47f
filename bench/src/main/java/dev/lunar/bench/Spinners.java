package dev.lunar.bench;

import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.SpawnOptions;
import java.util.ArrayList;
import java.util.List;

/** Processes that count for ever ({@code spin.wasm}), beside which a benchmark measures. */
final class Spinners implements AutoCloseable {
  private final Node node;
  private final List<Proc> procs = new ArrayList<>();

  /** Starts {@code n} of them and gives them {@code settleMillis} to get going. */
  Spinners(Node node, LoadedModule spin, int n, long settleMillis) throws Exception {
    this.node = node;
    for (int i = 0; i < n; i++) {
      procs.add(node.spawn(spin, Guests.spec(), SpawnOptions.DEFAULT));
    }
    Thread.sleep(settleMillis);
  }

  /** The reductions they have run so far. */
  long reductions() {
    return procs.stream().mapToLong(Proc::reductions).sum();
  }

  /** Kills them and waits for them to end. */
  @Override
  public void close() throws Exception {
    for (Proc p : procs) {
      node.kill(p.pid(), ExitReason.KILLED);
      p.awaitExit();
    }
  }
}
