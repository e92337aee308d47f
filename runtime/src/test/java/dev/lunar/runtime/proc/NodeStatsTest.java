package dev.lunar.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lunar.runtime.ExitReason;
import org.junit.jupiter.api.Test;

class NodeStatsTest {
  @Test
  void exitReasonsFallIntoAFixedSetOfKinds() {
    assertEquals("normal", NodeStats.kind(ExitReason.NORMAL));
    assertEquals("exit", NodeStats.kind(ExitReason.exit(3)));
    assertEquals("trap", NodeStats.kind(ExitReason.trap("unreachable")));
    assertEquals("stack_overflow", NodeStats.kind(ExitReason.STACK_OVERFLOW));
    assertEquals("reductions_exhausted", NodeStats.kind(ExitReason.REDUCTIONS_EXHAUSTED));
    assertEquals("linked", NodeStats.kind(ExitReason.linked(7, ExitReason.KILLED)));
    assertEquals("killed", NodeStats.kind(ExitReason.KILLED));
    assertEquals("shutdown", NodeStats.kind(ExitReason.killed("shutdown")));
    assertEquals("restart_limit_reached", NodeStats.kind(Supervisor.GAVE_UP));
    // Reasons made up by a kill or a guest would otherwise each be a label of their own.
    assertEquals("killed", NodeStats.kind(ExitReason.killed("bye now")));
    assertEquals("other", NodeStats.kind(new ExitReason("made up", 1)));
  }
}
