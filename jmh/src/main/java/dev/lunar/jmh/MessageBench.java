package dev.lunar.jmh;

import dev.lunar.runtime.proc.Message;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.SpawnOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Messages between two Java-bodied processes through the public API ({@link Proc#send}, {@link
 * Proc#receive}), each on its own virtual thread under the node's CPU tokens, as guests' messages
 * will be. JMH's thread is not a process and may not receive, so each invocation asks a driver
 * process to do {@value #BATCH} exchanges and waits for it to finish; the hand-off is spread over
 * the batch.
 *
 * <ul>
 *   <li>{@code roundTrip}: ping, then wait for the echo: one send and one receive each way, and two
 *       wake-ups, since each side waits for the other.
 *   <li>{@code oneWay}: the driver sends the batch without waiting; the receiver takes them as they
 *       come, so wake-ups are rare and the figure is mostly send + receive.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MessageBench {
  static final int BATCH = 1000;

  private static final byte[] BODY = new byte[16];

  private Node node;
  private Proc echo;
  private Proc sink;
  private Proc driver;

  /** Completed by the driver at the end of each batch; set before the batch starts. */
  private volatile CompletableFuture<Void> done;

  @Setup
  public void setup() throws Exception {
    node = new Node(NodeConfig.defaults());
    echo =
        node.spawn(
            "echo",
            self -> {
              for (; ; ) {
                Message m = self.receive();
                self.send(m.from(), "echo", m.body());
              }
            },
            SpawnOptions.DEFAULT);
    sink =
        node.spawn(
            "sink",
            self -> {
              for (; ; ) {
                Message m = self.receive();
                if (m.tag().equals("last")) {
                  done.complete(null);
                }
              }
            },
            SpawnOptions.DEFAULT);
    driver = node.spawn("driver", this::drive, SpawnOptions.DEFAULT);
  }

  /** Runs one batch per message from the host: tag {@code roundTrip} or {@code oneWay}. */
  private void drive(Proc self) throws Exception {
    for (; ; ) {
      Message go = self.receive("go", -1);
      if (go.text().equals("roundTrip")) {
        for (int i = 0; i < BATCH; i++) {
          self.send(echo.pid(), "ping", BODY);
          self.receive("echo", -1);
        }
        done.complete(null);
      } else {
        for (int i = 1; i < BATCH; i++) {
          self.send(sink.pid(), "", BODY);
        }
        self.send(sink.pid(), "last", BODY); // the sink completes the batch
      }
    }
  }

  private void batch(String kind) throws Exception {
    var batch = new CompletableFuture<Void>();
    done = batch;
    node.send(driver.pid(), new Message(0, "go", kind.getBytes()));
    batch.get(1, TimeUnit.MINUTES); // a crashed driver would otherwise hang the run
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void roundTrip() throws Exception {
    batch("roundTrip");
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void oneWay() throws Exception {
    batch("oneWay");
  }

  @TearDown
  public void close() {
    node.close();
  }
}
