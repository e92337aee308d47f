package dev.lunar.runtime.proc;

import com.dylibso.chicory.runtime.Memory;
import dev.lunar.fs.Grants;
import dev.lunar.fs.Waits;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.Threads;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * One Lunar process: an entry in the node's process table, its mailbox, links and monitors, and the
 * virtual thread that runs its body.
 *
 * <p>Concurrency contract: the accessors and {@link #awaitExit} may be called from any thread.
 * {@link #receive}, {@link #yieldSlice}, {@link #endSlice} and {@link #blocking} belong to the
 * process's own thread. Link and monitor sets are guarded by this object's monitor; the exit path
 * takes it once to mark the process exited, so a link made after that fails with noproc.
 */
public final class Proc {
  private final Node node;
  private final long pid;
  private final long parent;
  private final String module;
  private final Instant started = Instant.now();
  private final Thread thread;
  private final Mailbox mailbox;
  private final ProcessBody body;
  private final long maxReductions;
  private final long maxMemory;
  private final Grants grants;
  private final GuestSpec spec;
  private final CompletableFuture<ExitReason> exit = new CompletableFuture<>();

  private final Set<Long> links = new LinkedHashSet<>();
  private final List<Long> monitors = new ArrayList<>();
  private boolean exited;

  private volatile ProcState state = ProcState.RUNNABLE;
  private volatile boolean trapExits;
  private volatile ExitReason killReason;
  private volatile String name;
  private volatile long reductions; // up to the last slice's end; all of them once it has ended
  private volatile Memory own; // its memory while it runs, which counts its reductions
  private volatile long memory; // its memory's size once it has ended
  private volatile long resident; // its memory's blocks once it has ended
  private volatile String lastError;

  /** How often at most a process makes way for threads waiting for a carrier. */
  static final long MAKE_WAY_NANOS = 50_000;

  private boolean holdsCpu;
  private long lastMadeWay = System.nanoTime();
  private volatile long slice = 1; // the rewritten module starts with a budget of one reduction

  Proc(Node node, long pid, String module, ProcessBody body, SpawnOptions options, GuestSpec spec) {
    this.node = node;
    this.pid = pid;
    this.parent = options.parent();
    this.module = module;
    this.body = body;
    this.maxReductions = options.maxReductions();
    this.maxMemory =
        options.maxMemory() > 0 ? options.maxMemory() : node.config().defaultMaxMemory();
    this.grants = options.grants();
    this.spec = spec;
    this.thread = Threads.newProcessThread(this::run);
    this.mailbox =
        new Mailbox(
            thread,
            node.config().mailboxCapacity(),
            node.config().mailboxMaxBytes(),
            node.queued(),
            node.alarms());
  }

  public long pid() {
    return pid;
  }

  /** The pid of the process that spawned this one; 0 for the host. */
  public long parent() {
    return parent;
  }

  /** The module's name, or the kind of a runtime-provided process such as a supervisor. */
  public String module() {
    return module;
  }

  public Instant started() {
    return started;
  }

  public ProcState state() {
    return state;
  }

  /**
   * Reductions used so far: the slices ended, and what the running one has used of its budget,
   * which is what its memory has left. Exact but while {@link #endSlice} returns and the memory
   * adds the next budget, a few instructions in which it reads one slice too many.
   */
  public long reductions() {
    long n =
        fromOwnMemory(
            m -> m instanceof SparseMemory s ? reductions + slice - s.budget() : reductions);
    return n >= 0 ? n : reductions;
  }

  /** Bytes of linear memory: its size, as the guest sees it. */
  public long memory() {
    long n = fromOwnMemory(m -> (long) m.pages() * Memory.PAGE_SIZE);
    return n >= 0 ? n : memory;
  }

  /**
   * Bytes of linear memory the process has written to, and so costs: whole 4 KiB blocks (all of it
   * for a shared memory, which is not sparse).
   */
  public long resident() {
    long n =
        fromOwnMemory(m ->
            m instanceof SparseMemory s ? s.residentBytes() : (long) m.pages() * Memory.PAGE_SIZE);
    return n >= 0 ? n : resident;
  }

  /**
   * {@code read} of the process's memory, or -1 once it has let go of it: the memory may then be
   * serving another process, so what was read is checked to have been read while it was ours.
   */
  private long fromOwnMemory(ToLongFunction<Memory> read) {
    Memory m = own;
    if (m == null) {
      return -1;
    }
    long n = read.applyAsLong(m);
    VarHandle.loadLoadFence();
    return own == m ? n : -1;
  }

  /** Messages waiting in the mailbox. */
  public int queued() {
    return mailbox.size();
  }

  /** The registered name, or null. */
  public String name() {
    return name;
  }

  public boolean trapsExits() {
    return trapExits;
  }

  public Node node() {
    return node;
  }

  /** Why its last failed call on the tree failed, or null: {@code /proc/<pid>/errstr}. */
  public String lastError() {
    return lastError;
  }

  public void lastError(String reason) {
    this.lastError = reason;
  }

  /** What of the tree this process sees. */
  public Grants grants() {
    return grants;
  }

  /** Its linear memory limit in bytes. */
  public long maxMemory() {
    return maxMemory;
  }

  /** Its reduction limit, 0 for none. */
  public long maxReductions() {
    return maxReductions;
  }

  /** How a wasm process was started (arguments, directories, streams); null for Java bodies. */
  public GuestSpec spec() {
    return spec;
  }

  /** The exit reason, or null while the process runs. */
  public ExitReason exitReason() {
    return exit.getNow(null);
  }

  /** Waits for the process to end and returns why it did. */
  public ExitReason awaitExit() throws InterruptedException {
    try {
      return exit.get();
    } catch (ExecutionException e) {
      throw new AssertionError("exit is never completed exceptionally", e);
    }
  }

  /** Waits at most {@code timeout}; null if the process still runs. */
  public ExitReason awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
    try {
      return exit.get(timeout, unit);
    } catch (TimeoutException e) {
      return null;
    } catch (ExecutionException e) {
      throw new AssertionError("exit is never completed exceptionally", e);
    }
  }

  /** Runs {@code action} once the process has ended (at once if it already has). */
  public void onExit(Consumer<ExitReason> action) {
    exit.thenAccept(action);
  }

  /** Trap exits: linked exits arrive as {@code EXIT} messages instead of ending this process. */
  public void trapExits(boolean on) {
    trapExits = on;
  }

  // ---- called by the process's own thread ----

  /** Sends a message from this process. */
  public void send(long to, String tag, byte[] body) throws SendException {
    node.send(to, new Message(pid, tag, body.clone()));
  }

  /**
   * Whether a message tagged {@code tag} (any when null) is waiting; with {@code watch}, every
   * later arrival unparks this thread until {@link #unwatchMailbox}. Own thread only.
   */
  public boolean hasMessage(String tag, boolean watch) {
    if (watch) {
      mailbox.watch(true);
    }
    return mailbox.has(tag);
  }

  public void unwatchMailbox() {
    mailbox.watch(false);
  }

  /** The next message, waiting as long as it takes. */
  public Message receive() {
    return receive(null, -1);
  }

  /**
   * The oldest message tagged {@code tag} (any when null), waiting at most {@code timeoutNanos}
   * (forever when negative); null on timeout. The process gives up its carrier while it waits.
   */
  public Message receive(String tag, long timeoutNanos) {
    try {
      Message ready = mailbox.receive(tag, 0);
      if (ready != null || timeoutNanos == 0) {
        return ready;
      }
      return blocking(() -> mailbox.receive(tag, timeoutNanos));
    } catch (InterruptedException e) {
      throw killedNow();
    }
  }

  /**
   * Parks this process's thread for at most {@code nanos}, inside {@link #blocking}; it may return
   * early, as {@link LockSupport#parkNanos(Object, long)} does. Processes computing on any carrier
   * wake it when it is due, should the JDK's timer be late ({@link Alarms}).
   */
  public void parkNanos(Object blocker, long nanos) {
    node.alarms().parkNanos(blocker, nanos);
  }

  /** Something that may block: a receive, a sleep, I/O. */
  @FunctionalInterface
  public interface Blocking<T> {
    T call() throws InterruptedException;
  }

  /**
   * Runs {@code call} without holding a carrier token, so other processes run meanwhile, and takes
   * a token back (at the front of the queue) afterwards.
   */
  public <T> T blocking(Blocking<T> call) {
    state = ProcState.WAITING;
    releaseCpu();
    try {
      return call.call();
    } catch (InterruptedException e) {
      throw killedNow();
    } finally {
      acquireCpu(true);
      lastMadeWay = System.nanoTime();
      checkKilled();
    }
  }

  /**
   * {@link Waits}' waiter, which a wasm process binds: a wait below the tree, such as a key-value
   * commit, is a blocking one.
   */
  void waitOffCpu(Waits.Wait wait) {
    blocking(() -> {
      wait.call();
      return null;
    });
  }

  /**
   * Lets other processes run: wakes sleepers that are due ({@link Alarms}); then, if the scheduler
   * holds threads waiting for a carrier, makes way for them ({@link Cpu#makeWay}), and if not,
   * hands the token to the longest-waiting process, if there is one.
   */
  public void yieldSlice() {
    checkKilled();
    state = ProcState.RUNNABLE;
    long now = System.nanoTime();
    node.alarms().wakeDue(now);
    try {
      if (now - lastMadeWay > MAKE_WAY_NANOS && Waiting.forCarrier(node.cpu().processesWaiting())) {
        node.cpu().makeWay();
        lastMadeWay = System.nanoTime();
      } else {
        node.cpu().yield();
      }
    } catch (InterruptedException e) {
      holdsCpu = false;
      throw killedNow();
    }
    state = ProcState.RUNNING;
  }

  /**
   * Called by the reduction-counting code when a slice's budget is used up: accounts for it, ends
   * the process if it was killed or is over its reduction limit, lets others run, and returns the
   * next slice's budget.
   */
  public int endSlice() {
    // Until this returns, reductions() reads the slice as running, overrun and all (see there).
    long done = reductions + slice;
    if (maxReductions > 0 && done >= maxReductions) {
      throw new ProcessExit(ExitReason.REDUCTIONS_EXHAUSTED);
    }
    if (reductions == 0) {
      // The module's first check only asks for its first budget: the process has just been
      // given the CPU, so making way now would cost a switch for nothing.
      checkKilled();
    } else {
      yieldSlice();
    }
    long next = node.config().sliceReductions();
    if (maxReductions > 0) {
      next = Math.min(next, maxReductions - done);
    }
    reductions = done;
    slice = next;
    return (int) next;
  }

  /** Its memory, which counts its reductions, from now until {@link #letGoOfMemory}. */
  void own(Memory memory) {
    this.own = memory;
  }

  /** Keeps its count and its memory's size and blocks as they are, and lets go of the memory. */
  void letGoOfMemory() {
    if (own != null) {
      reductions = reductions();
      memory = memory();
      resident = resident();
      own = null;
    }
  }

  void name(String name) {
    this.name = name;
  }

  Mailbox mailbox() {
    return mailbox;
  }

  // ---- life cycle ----

  void start() {
    thread.start();
  }

  /** Asks the process to end with {@code reason}; the first request wins. Any thread. */
  void kill(ExitReason reason) {
    synchronized (this) {
      if (killReason != null || exited) {
        return;
      }
      killReason = reason;
    }
    thread.interrupt();
  }

  /** Ends this process now if it has been killed. Own thread only. */
  public void checkKilled() {
    if (killReason != null) {
      throw killedNow();
    }
  }

  private ProcessExit killedNow() {
    ExitReason reason = killReason;
    return new ProcessExit(reason != null ? reason : ExitReason.KILLED);
  }

  private void acquireCpu(boolean urgent) {
    if (holdsCpu) {
      return; // a blocking section inside another one
    }
    boolean interrupted = false;
    while (true) {
      try {
        node.cpu().acquire(urgent);
        break;
      } catch (InterruptedException e) {
        // A kill while waiting to run: take the token anyway so the exit path is uniform.
        interrupted = true;
      }
    }
    holdsCpu = true;
    state = ProcState.RUNNING;
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void releaseCpu() {
    if (holdsCpu) {
      holdsCpu = false;
      node.cpu().release();
    }
  }

  private void run() {
    ExitReason reason;
    try {
      acquireCpu(false);
      lastMadeWay = System.nanoTime();
      checkKilled();
      body.run(this);
      reason = ExitReason.NORMAL;
    } catch (Throwable t) {
      reason = ExitReasons.of(t, killReason);
    }
    releaseCpu();
    finish(reason);
  }

  private void finish(ExitReason reason) {
    letGoOfMemory(); // an exited process stays findable for a while, but not its memory
    List<Long> linked;
    List<Long> watchers;
    synchronized (this) {
      exited = true;
      linked = new ArrayList<>(links);
      watchers = new ArrayList<>(monitors);
      links.clear();
      monitors.clear();
    }
    state = ProcState.EXITED;
    node.exited(this, reason, linked, watchers);
    mailbox.close(); // after it left the table, so that few sends still find it
    exit.complete(reason);
  }

  // ---- links and monitors, called by Node ----

  synchronized boolean addLink(long other) {
    if (exited) {
      return false;
    }
    links.add(other);
    return true;
  }

  synchronized void removeLink(long other) {
    links.remove(other);
  }

  synchronized boolean addMonitor(long watcher) {
    if (exited) {
      return false;
    }
    monitors.add(watcher);
    return true;
  }

  synchronized boolean removeMonitor(long watcher) {
    return monitors.remove(Long.valueOf(watcher));
  }

  /** The pids linked to this one. Any thread. */
  public synchronized Set<Long> links() {
    return Set.copyOf(links);
  }
}
