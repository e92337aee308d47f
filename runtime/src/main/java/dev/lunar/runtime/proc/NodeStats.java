package dev.lunar.runtime.proc;

import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.metrics.MetricSource;
import dev.lunar.runtime.metrics.Prometheus;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one node: spawns, exits by kind of reason, messages, reductions. Updated by any
 * thread without locks; read as the metrics source of the node's processes.
 */
public final class NodeStats implements MetricSource {
  private final Node node;
  private final LongAdder spawns = new LongAdder();
  private final LongAdder messages = new LongAdder();
  private final LongAdder messageBytes = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder exitedReductions = new LongAdder();
  private final Map<String, LongAdder> exits = new ConcurrentHashMap<>();

  NodeStats(Node node) {
    this.node = node;
  }

  void spawned() {
    spawns.increment();
  }

  void sent(int bytes) {
    messages.increment();
    messageBytes.add(bytes);
  }

  /** Counts a send refused: by the node, or by the mount before it reached the node. */
  public void refused() {
    refused.increment();
  }

  void exited(Proc proc, ExitReason reason) {
    exitedReductions.add(proc.reductions());
    exits.computeIfAbsent(kind(reason), k -> new LongAdder()).increment();
  }

  public long spawns() {
    return spawns.sum();
  }

  /** The kinds of exit reason the node itself gives, as metric labels. */
  private static final Set<String> KINDS =
      Set.of(
          "exit",
          "trap",
          "stack_overflow",
          "reductions_exhausted",
          "linked",
          "killed",
          "shutdown",
          "node_shutdown",
          "time_limit",
          "restart_limit_reached");

  /**
   * The kind of an exit reason: its text up to the first colon or digit, in snake case, if that is
   * one of the {@link #KINDS}; else {@code killed} for any other reason given to a kill, and {@code
   * other} for the rest, so that reasons made up by guests cannot grow the label set.
   */
  static String kind(ExitReason reason) {
    if (reason.isNormal()) {
      return "normal"; // most exits: skip the scan
    }
    String t = reason.text();
    int end = 0;
    while (end < t.length() && t.charAt(end) != ':' && !Character.isDigit(t.charAt(end))) {
      end++;
    }
    String kind = t.substring(0, end).trim().replace(' ', '_');
    if (KINDS.contains(kind)) {
      return kind;
    }
    return reason.exitCode() == ExitReason.KILLED_CODE ? "killed" : "other";
  }

  @Override
  public void report(Prometheus out) {
    Map<ProcState, Long> states = new EnumMap<>(ProcState.class);
    for (ProcState s : ProcState.values()) {
      if (s != ProcState.EXITED) {
        states.put(s, 0L);
      }
    }
    long reductions = exitedReductions.sum();
    for (Proc p : node.processes()) {
      states.merge(p.state(), 1L, Long::sum);
      reductions += p.reductions();
    }
    Map<String, Long> byState = new LinkedHashMap<>();
    states.forEach((s, n) -> byState.put(s.name().toLowerCase(), n));
    Map<String, Long> byReason = new java.util.TreeMap<>();
    exits.forEach((k, v) -> byReason.put(k, v.sum()));
    out.family("lunar_processes", "gauge", "Live processes by state.")
        .samples("lunar_processes", "state", byState)
        .family("lunar_spawns_total", "counter", "Processes spawned.")
        .sample("lunar_spawns_total", spawns.sum())
        .family("lunar_exits_total", "counter", "Processes ended, by kind of exit reason.")
        .samples("lunar_exits_total", "reason", byReason)
        .family("lunar_messages_total", "counter", "Messages delivered, notices included.")
        .sample("lunar_messages_total", messages.sum())
        .family("lunar_message_bytes_total", "counter", "Bytes of delivered messages.")
        .sample("lunar_message_bytes_total", messageBytes.sum())
        .family("lunar_messages_refused_total", "counter", "Sends refused: too big, full, noproc.")
        .sample("lunar_messages_refused_total", refused.sum())
        .family("lunar_reductions_total", "counter", "Reductions run by all processes.")
        .sample("lunar_reductions_total", reductions)
        .family("lunar_queued_bytes", "gauge", "Bytes of messages in mailboxes and timers.")
        .sample("lunar_queued_bytes", node.queuedBytes())
        .family("lunar_guest_memory_bytes", "gauge", "Bytes of linear memory processes hold.")
        .sample("lunar_guest_memory_bytes", node.guestMemory());
  }
}
