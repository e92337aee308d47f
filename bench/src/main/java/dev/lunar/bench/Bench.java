package dev.lunar.bench;

import java.util.Arrays;

/**
 * Entry point: {@code Bench NAME ARGS...} runs one benchmark and prints {@code name value unit}
 * lines on stdout. scripts/bench alternates these runs with their Erlang peers and summarises.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage();
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "preempt" -> PreemptBench.run(rest);
      case "spawn" -> SpawnBench.run(rest);
      case "idle" -> IdleBench.run(rest);
      case "fill" -> FillBench.run(rest);
      case "ring" -> RingBench.run(rest);
      case "chat" -> ChatLatencyBench.run(rest);
      case "kv" -> KvBench.run(rest);
      case "compute" -> ComputeBench.run(rest);
      case "wake" -> WakeBench.run(rest);
      case "kvguest" -> KvGuestBench.run(rest);
      case "hostwake" -> HostWakeBench.run(rest);
      default -> usage();
    }
    // Leftover idle processes are virtual threads, which do not keep the JVM alive; exit anyway.
    System.exit(0);
  }

  private static void usage() {
    System.err.println(
        "usage: Bench preempt ROUNDS WARMUP FIB_N SPIN_N [HASH_ROUNDS] | spawn N IN_FLIGHT [WARM_SECONDS]"
            + " | idle N [GUEST] | fill SECONDS | ring SIZE LAPS"
            + " | chat CLIENTS MESSAGES | kv ROUNDS THREADS SECONDS VALUE_BYTES KEYS_FOR_LS"
            + " | compute WARMUP ROUNDS compiled,norewrite,interpreted GUEST=ARG..."
            + " | wake SLEEPS SPINNERS... | kvguest WRITERS PUTS SIZE SPINNERS..."
            + " | hostwake MESSAGES GAP_US plain|kv SPINNERS...");
    System.exit(2);
  }
}
