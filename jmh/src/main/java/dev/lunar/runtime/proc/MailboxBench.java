package dev.lunar.runtime.proc;

import dev.lunar.fs.ByteBudget;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The raw {@link Mailbox}, without processes or threads waking each other: one offer and one
 * receive on the owner's thread, so the figure is the queue and the selective-receive bookkeeping
 * alone. It sits in the mailbox's package because the class is package-private.
 *
 * <p>{@code skipped} messages with another tag wait in the save queue, which a tagged receive
 * searches first, as a process that leaves some messages for later would have.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MailboxBench {
  @Param({"0", "16"})
  int skipped;

  private final Message wanted = new Message(1, "wanted", new byte[8]);
  private Mailbox mailbox;

  @Setup
  public void setup() {
    mailbox =
        new Mailbox(
            Thread.currentThread(),
            Integer.MAX_VALUE,
            Long.MAX_VALUE,
            new ByteBudget(Long.MAX_VALUE),
            new Alarms());
    for (int i = 0; i < skipped; i++) {
      mailbox.offer(new Message(1, "later", new byte[8]));
    }
    mailbox.has("wanted"); // moves the others to the save queue
  }

  @Benchmark
  public Message offerThenReceive() throws InterruptedException {
    mailbox.offer(wanted);
    return mailbox.receive("wanted", 0);
  }
}
