package dev.lunar.runtime.proc;

import dev.lunar.runtime.ExitReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;

/**
 * A supervisor, run by the runtime itself so that every guest language has supervision. It traps
 * exits, links to each child, and on a child's {@code EXIT} notice restarts per its {@link
 * SupervisorSpec}. More than {@code maxRestarts} restarts within {@code period} stop every child
 * and end the supervisor with {@code restart limit reached}, which its own supervisor (if any) then
 * sees.
 *
 * <p>Children can be added while it runs ({@link #addChild}); its own thread does all the starting
 * and restarting, so its state needs no lock.
 */
public final class Supervisor implements ProcessBody {
  /** The reason a supervisor ends with when its children fail too often. */
  public static final ExitReason GAVE_UP = new ExitReason("restart limit reached", 1);

  private static final ExitReason SHUTDOWN = ExitReason.killed("shutdown");

  /** The tag of the wake-up an {@link #addChild} sends. */
  static final String ADD = "lunar.add-child";

  private final SupervisorSpec spec;
  private final List<ChildSpec> specs;
  private final List<Proc> children = new CopyOnWriteArrayList<>();
  private final Deque<Long> restarts = new ArrayDeque<>();
  private final BitSet startedOnce = new BitSet(); // temporary children that have been started
  private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
  private volatile Proc self;

  private record Request(ChildSpec child, CompletableFuture<Proc> started) {}

  private Supervisor(SupervisorSpec spec) {
    this.spec = spec;
    this.specs = new ArrayList<>(spec.children());
    for (int i = 0; i < specs.size(); i++) {
      children.add(null);
    }
  }

  /** A supervisor for {@code spec}; spawn it with {@link #start}. */
  public static Supervisor of(SupervisorSpec spec) {
    return new Supervisor(spec);
  }

  /** Spawns this supervisor as a process; it then starts its children. */
  public Proc start(Node node, SpawnOptions options) throws NoProcException, RegistryException {
    Proc proc = node.spawn("supervisor", this, options.withTrapExits(true));
    self = proc; // children may be added before its thread first runs
    return proc;
  }

  /**
   * The current incarnation of child {@code index}, or null while it is not running. Any thread.
   */
  public Proc child(int index) {
    return children.get(index);
  }

  /**
   * Adds a child and starts it (from the supervisor's own thread); returns its first incarnation.
   * Any thread but the supervisor's; the caller waits for the start.
   *
   * @throws NoProcException if the supervisor has ended
   * @throws Exception whatever starting the child threw
   */
  public Proc addChild(ChildSpec child) throws Exception {
    Proc running = self;
    if (running == null || running.exitReason() != null) {
      throw new NoProcException("supervisor has ended");
    }
    var request = new Request(child, new CompletableFuture<>());
    requests.add(request);
    running.mailbox().force(new Message(0, ADD, new byte[0]));
    if (running.exitReason() != null) {
      failPending();
    }
    try {
      return request.started().get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  @Override
  public void run(Proc self) throws Exception {
    try {
      supervise(self);
    } finally {
      failPending();
    }
  }

  private void failPending() {
    Request r;
    while ((r = requests.poll()) != null) {
      r.started().completeExceptionally(new NoProcException("supervisor has ended"));
    }
  }

  private void startRequested(Proc self) {
    Request r;
    while ((r = requests.poll()) != null) {
      specs.add(r.child());
      children.add(null);
      try {
        startChild(self, specs.size() - 1);
        r.started().complete(children.get(specs.size() - 1));
      } catch (Exception e) {
        specs.remove(specs.size() - 1);
        children.remove(children.size() - 1);
        startedOnce.clear(specs.size());
        r.started().completeExceptionally(e);
      }
    }
  }

  private void supervise(Proc self) throws Exception {
    self.trapExits(true);
    for (int i = 0; i < children.size(); i++) {
      startChild(self, i);
    }
    while (true) {
      Message m = self.receive(null, -1);
      if (ADD.equals(m.tag()) && m.from() == 0) {
        startRequested(self);
        continue;
      }
      if (!Message.EXIT.equals(m.tag())) {
        continue; // supervisors take no other messages
      }
      // Any process may send a message tagged EXIT: believe only the process table. The runtime's
      // own notice comes from the process that ended, which has (or is just taking) its reason.
      long pid = m.from();
      Proc ended = pid == 0 ? null : self.node().find(pid);
      if (ended == null || ended.state() != ProcState.EXITED) {
        continue;
      }
      ExitReason why = self.blocking(ended::awaitExit);
      if (pid == self.parent()) {
        stopAll(self, children.size() - 1);
        throw new ProcessExit(new ExitReason(why.text(), 1));
      }
      int index = indexOf(pid);
      if (index < 0) {
        continue; // a child we already replaced or stopped
      }
      ChildSpec child = specs.get(index);
      children.set(index, null);
      boolean normal = why.isNormal();
      if (child.restart() == ChildSpec.Restart.TEMPORARY
          || (child.restart() == ChildSpec.Restart.TRANSIENT && normal)) {
        continue;
      }
      if (!allowRestart()) {
        stopAll(self, children.size() - 1);
        throw new ProcessExit(GAVE_UP);
      }
      restart(self, index);
    }
  }

  private void restart(Proc self, int index) throws Exception {
    switch (spec.strategy()) {
      case ONE_FOR_ONE -> startChild(self, index);
      case ONE_FOR_ALL -> {
        stopAll(self, children.size() - 1);
        for (int i = 0; i < children.size(); i++) {
          startChild(self, i);
        }
      }
      case REST_FOR_ONE -> {
        for (int i = children.size() - 1; i > index; i--) {
          stop(self, i);
        }
        for (int i = index; i < children.size(); i++) {
          startChild(self, i);
        }
      }
    }
  }

  private boolean allowRestart() {
    long now = System.nanoTime();
    restarts.addLast(now);
    while (!restarts.isEmpty() && now - restarts.peekFirst() > spec.period().toNanos()) {
      restarts.removeFirst();
    }
    return restarts.size() <= spec.maxRestarts();
  }

  private void startChild(Proc self, int index) throws Exception {
    if (specs.get(index).restart() == ChildSpec.Restart.TEMPORARY) {
      if (startedOnce.get(index)) {
        return; // a temporary child is never restarted, whatever the strategy
      }
      startedOnce.set(index);
    }
    var options = SpawnOptions.DEFAULT.withParent(self.pid()).withLink(true);
    children.set(index, specs.get(index).start().start(self.node(), options));
  }

  /** Stops children from {@code last} down to the first, newest first, as Erlang does. */
  private void stopAll(Proc self, int last) {
    for (int i = last; i >= 0; i--) {
      stop(self, i);
    }
  }

  private void stop(Proc self, int index) {
    Proc child = children.get(index);
    children.set(index, null);
    if (child == null) {
      return;
    }
    self.node().unlink(self.pid(), child.pid());
    child.kill(SHUTDOWN);
    self.blocking(child::awaitExit);
  }

  private int indexOf(long pid) {
    for (int i = 0; i < children.size(); i++) {
      Proc child = children.get(i);
      if (child != null && child.pid() == pid) {
        return i;
      }
    }
    return -1;
  }
}
