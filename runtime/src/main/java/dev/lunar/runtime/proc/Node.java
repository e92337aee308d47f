package dev.lunar.runtime.proc;

import dev.lunar.fs.ByteBudget;
import dev.lunar.fs.Dir;
import dev.lunar.fs.Namespace;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A Lunar node: the process table and everything that acts across processes — spawn, send, kill,
 * links, monitors, the name registry and timers.
 *
 * <p>Concurrency contract: every public method may be called from any thread, by processes and by
 * the host alike. Pids count up from 1 and are never reused within a node's life.
 */
public final class Node implements AutoCloseable {
  /** Memory that instances kept for reuse may hold together (see {@link Instances}). */
  static final long SPARE_INSTANCE_BYTES = 32L << 20;

  private final NodeConfig config;
  private final Cpu cpu;
  private final Alarms alarms = new Alarms();
  private final AtomicLong nextPid = new AtomicLong(1);
  private final Map<Long, Proc> table = new ConcurrentHashMap<>();
  private final ConcurrentSkipListSet<Long> pids = new ConcurrentSkipListSet<>();
  private volatile Function<Proc, Dir> tree = caller -> EmptyDir.INSTANCE;
  private final RecentExits recent;
  private final ByteBudget queued;
  private final ByteBudget resident;
  private final Registry registry = new Registry();
  private final Timers timers;
  private final NodeStats stats = new NodeStats(this);
  private final Instances instances;

  public Node(NodeConfig config) {
    this.config = config;
    this.cpu = new Cpu(config.carriers(), Cpu.MADE_WAY_NANOS, alarms);
    this.recent = new RecentExits(config.recentExits());
    this.queued = new ByteBudget(config.maxQueuedBytes());
    this.resident = new ByteBudget(config.maxGuestMemory());
    this.instances = new Instances(WasmBody.IMPORTS, resident, SPARE_INSTANCE_BYTES);
    this.timers = new Timers(this);
  }

  public NodeConfig config() {
    return config;
  }

  /** The node's counters, a metrics source. */
  public NodeStats stats() {
    return stats;
  }

  ByteBudget queued() {
    return queued;
  }

  Alarms alarms() {
    return alarms;
  }

  Cpu cpu() {
    return cpu;
  }

  Instances instances() {
    return instances;
  }

  // ---- spawning ----

  /** Spawns a wasm process running {@code module} with the given WASI set-up. */
  public Proc spawn(LoadedModule module, GuestSpec guest, SpawnOptions options)
      throws ModuleException, NoProcException, RegistryException {
    long maxMemory = options.maxMemory() > 0 ? options.maxMemory() : config.defaultMaxMemory();
    ProcessBody body = WasmBody.prepare(instances, module, guest, maxMemory);
    return spawn(module.name(), body, options, guest);
  }

  /** Spawns a process running Java code: supervisors, and drivers in tests and benchmarks. */
  public Proc spawn(String kind, ProcessBody body, SpawnOptions options)
      throws NoProcException, RegistryException {
    return spawn(kind, body, options, null);
  }

  private Proc spawn(String kind, ProcessBody body, SpawnOptions options, GuestSpec guest)
      throws NoProcException, RegistryException {
    var proc = new Proc(this, nextPid.getAndIncrement(), kind, body, options, guest);
    proc.trapExits(options.trapExits());
    table.put(proc.pid(), proc);
    pids.add(proc.pid());
    try {
      if (options.name() != null) {
        registry.register(options.name(), proc);
      }
      if (options.link()) {
        link(options.parent(), proc.pid());
      }
      if (options.monitor()) {
        monitor(options.parent(), proc.pid());
      }
    } catch (NoProcException | RegistryException e) {
      table.remove(proc.pid());
      pids.remove(proc.pid());
      registry.unregister(proc);
      throw e;
    }
    stats.spawned();
    proc.start();
    return proc;
  }

  // ---- lookup ----

  /** The live process with this pid, or null. */
  public Proc get(long pid) {
    return table.get(pid);
  }

  /** A live or recently exited process, or null. */
  public Proc find(long pid) {
    Proc live = table.get(pid);
    return live != null ? live : recent.get(pid);
  }

  /** The live processes, in no particular order; a view, not a copy. */
  public Collection<Proc> processes() {
    return table.values();
  }

  public int count() {
    return table.size();
  }

  /** At most {@code max} live pids above {@code after}, ascending: for paged listings. */
  public List<Long> pidsAfter(long after, int max) {
    return pids.tailSet(after, false).stream().limit(max).toList();
  }

  /** The registered names after {@code after} (from the first when null), sorted. */
  public List<String> namesAfter(String after, int max) {
    return registry.namesAfter(after, max);
  }

  // ---- the tree ----

  /**
   * Sets how the tree looks to a caller (null: the host): called once, before the first spawn, by
   * whoever assembles the node.
   */
  public void tree(Function<Proc, Dir> factory) {
    this.tree = factory;
  }

  /** The tree as the host sees it: everything. */
  public Dir hostTree() {
    return tree.apply(null);
  }

  /** The tree as {@code proc} sees it: its grants, plus what every process always has. */
  public Dir treeFor(Proc proc) {
    return Namespace.view(tree.apply(proc), proc.grants().plus(Implicit.grants(proc.pid())));
  }

  // ---- messages ----

  /** Delivers {@code message} to process {@code to}; the body is not copied again. */
  public void send(long to, Message message) throws SendException {
    try {
      deliver(to, message);
      stats.sent(message.body().length);
    } catch (SendException e) {
      stats.refused();
      throw e;
    }
  }

  private void deliver(long to, Message message) throws SendException {
    checkSize(message);
    Proc target = table.get(to);
    if (target == null) {
      throw new SendException(SendException.Reason.NO_PROC, "no process " + to);
    }
    switch (target.mailbox().offer(message)) {
      case QUEUED -> {}
      case FULL ->
          throw new SendException(
              SendException.Reason.FULL,
              "mailbox of " + to + " is full (" + config.mailboxCapacity() + " messages)");
      case FULL_BYTES ->
          throw new SendException(
              SendException.Reason.FULL,
              "mailbox of " + to + " is full (" + mib(config.mailboxMaxBytes()) + " queued)");
      case NODE_FULL -> throw nodeFull();
      case CLOSED -> throw new SendException(SendException.Reason.NO_PROC, "no process " + to);
    }
  }

  private void checkSize(Message message) throws SendException {
    if (message.body().length > config.maxMessageBytes()) {
      throw new SendException(
          SendException.Reason.TOO_BIG,
          "message of "
              + message.body().length
              + " bytes is over the limit of "
              + config.maxMessageBytes());
    }
  }

  SendException nodeFull() {
    return new SendException(
        SendException.Reason.FULL,
        "the node's mailboxes and timers are full ("
            + mib(queued.limit())
            + " of messages queued in all)");
  }

  private static String mib(long bytes) {
    return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
  }

  /** Bytes of message bodies queued in mailboxes and pending timers. */
  long queuedBytes() {
    return queued.held();
  }

  /** Bytes of linear memory all processes hold (their 4 KiB blocks), shared memories aside. */
  long guestMemory() {
    return resident.held();
  }

  /** Delivers to the process registered as {@code name}. */
  public void send(String name, Message message) throws SendException {
    long pid = registry.whereis(name);
    if (pid == 0) {
      stats.refused();
      throw new SendException(SendException.Reason.NO_PROC, "no process named " + name);
    }
    send(pid, message);
  }

  // ---- kill, links, monitors ----

  /** Ends {@code pid} with {@code reason} wherever it is; trap-exits does not stop this. */
  public void kill(long pid, ExitReason reason) throws NoProcException {
    Proc target = table.get(pid);
    if (target == null) {
      throw new NoProcException(Long.toString(pid));
    }
    target.kill(reason);
  }

  /** Links two processes: when one ends abnormally, so does the other, unless it traps exits. */
  public void link(long a, long b) throws NoProcException {
    Proc pa = live(a);
    Proc pb = live(b);
    if (a == b) {
      return;
    }
    if (!pa.addLink(b)) {
      throw new NoProcException(Long.toString(a));
    }
    if (!pb.addLink(a)) {
      pa.removeLink(b);
      throw new NoProcException(Long.toString(b));
    }
  }

  public void unlink(long a, long b) {
    Proc pa = table.get(a);
    Proc pb = table.get(b);
    if (pa != null) {
      pa.removeLink(b);
    }
    if (pb != null) {
      pb.removeLink(a);
    }
  }

  /** {@code watcher} gets a {@code DOWN} message when {@code target} ends. */
  public void monitor(long watcher, long target) throws NoProcException {
    if (!live(target).addMonitor(watcher)) {
      throw new NoProcException(Long.toString(target));
    }
  }

  /** Removes one monitor of {@code target} by {@code watcher}; false if there was none. */
  public boolean demonitor(long watcher, long target) {
    Proc p = table.get(target);
    return p != null && p.removeMonitor(watcher);
  }

  private Proc live(long pid) throws NoProcException {
    Proc p = table.get(pid);
    if (p == null) {
      throw new NoProcException(Long.toString(pid));
    }
    return p;
  }

  // ---- registry and timers ----

  public void register(String name, long pid) throws NoProcException, RegistryException {
    registry.register(name, live(pid));
  }

  /** Whether {@code name} may be registered: 1-64 of A-Z a-z 0-9 _ . -, not . or - first. */
  public boolean validName(String name) {
    return Registry.VALID.matcher(name).matches();
  }

  public boolean unregister(String name) {
    return registry.unregister(name);
  }

  /**
   * Checks that a process of {@code module} could start: names the first import a node cannot give
   * it. A spawn checks this too; deploying a module checks it first.
   */
  public static void checkImports(LoadedModule module) throws ModuleException {
    WasmBody.checkImports(module.module());
  }

  /**
   * Checks that a process of {@code module} could start with {@code options}: its imports, and the
   * memory it needs at start against its limit, as a spawn does, for a caller that would rather
   * refuse the module at once than fail each spawn (lunar serve).
   */
  public void checkStart(LoadedModule module, SpawnOptions options) throws ModuleException {
    long maxMemory = options.maxMemory() > 0 ? options.maxMemory() : config.defaultMaxMemory();
    WasmBody.check(module.module(), maxMemory);
  }

  /** The pid registered as {@code name}, or 0. */
  public long whereis(String name) {
    return registry.whereis(name);
  }

  /**
   * Sends {@code message} to {@code to} after {@code delayMillis}; returns the timer's id. Its body
   * counts as queued until then.
   *
   * @throws SendException if the message is too big, or the node's queued messages are at their
   *     limit
   */
  public long sendAfter(long delayMillis, long to, Message message) throws SendException {
    checkSize(message);
    return timers.sendAfter(delayMillis, to, message);
  }

  /**
   * Cancels a timer set to send to {@code to}; false if it already fired, never existed, or sends
   * to another process.
   */
  public boolean cancelTimer(long to, long id) {
    return timers.cancel(to, id);
  }

  // ---- exits ----

  /** Called once by each process's own thread as it ends. */
  void exited(Proc proc, ExitReason reason, List<Long> linked, List<Long> watchers) {
    table.remove(proc.pid());
    timers.receiverEnded(proc.pid()); // after the remove: see Timers.sendAfter
    pids.remove(proc.pid());
    recent.add(proc);
    registry.unregister(proc);
    stats.exited(proc, reason);
    String notice = proc.pid() + " " + reason.text();
    for (long pid : linked) {
      Proc other = table.get(pid);
      if (other == null) {
        continue;
      }
      other.removeLink(proc.pid());
      if (other.trapsExits()) {
        notify(other, proc.pid(), Message.EXIT, notice);
      } else if (!reason.isNormal()) {
        other.kill(ExitReason.linked(proc.pid(), reason));
      }
    }
    for (long pid : watchers) {
      Proc other = table.get(pid);
      if (other != null) {
        notify(other, proc.pid(), Message.DOWN, notice);
      }
    }
  }

  private void notify(Proc to, long from, String tag, String text) {
    // Runtime notices are not refused for a full mailbox: losing one would break supervision.
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    to.mailbox().force(new Message(from, tag, body));
    stats.sent(body.length);
  }

  /** Kills every process and waits for them to end. */
  @Override
  public void close() {
    timers.close();
    for (Proc p : List.copyOf(table.values())) {
      p.kill(ExitReason.killed("node shutdown"));
    }
    for (Proc p : List.copyOf(table.values())) {
      try {
        p.awaitExit();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
