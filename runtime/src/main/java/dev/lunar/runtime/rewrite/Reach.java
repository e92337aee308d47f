package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.CatchOpCode;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Walks a function body's instructions in order and knows, before each one, how many blocks are
 * open and whether the instruction can be reached at all. The rewrite inserts nothing into code
 * that cannot be reached: Chicory's compiler does not analyse it, so a block inserted there breaks
 * the compile. The rules are the validator's: code after an unconditional branch, a return or a
 * throw is dead until the end (or else) of its block, and code after a block's end is live if the
 * block's end was reached by falling through or, for a block that is not a loop, by a branch.
 */
final class Reach {
  private static final class Frame {
    final boolean loop;
    final boolean liveOnEntry;
    boolean branchedTo;
    boolean isIf;
    boolean hasElse;
    boolean thenFallsThrough;

    Frame(boolean loop, boolean liveOnEntry) {
      this.loop = loop;
      this.liveOnEntry = liveOnEntry;
    }
  }

  private final Deque<Frame> frames = new ArrayDeque<>();
  private boolean live = true;

  /** Whether the next instruction can be reached. */
  boolean live() {
    return live;
  }

  /**
   * Blocks open around the next instruction; a branch to label {@code depth()} leaves the function.
   */
  int depth() {
    return frames.size();
  }

  /** Moves past {@code ins}. */
  void step(AnnotatedInstruction ins) {
    switch (ins.opcode()) {
      case BLOCK, LOOP -> frames.push(new Frame(ins.opcode() == OpCode.LOOP, live));
      case IF -> {
        Frame f = new Frame(false, live);
        f.isIf = true;
        frames.push(f);
      }
      case TRY_TABLE -> {
        if (live) {
          for (CatchOpCode.Catch c : ins.catches()) {
            branchTo(c.label());
          }
        }
        frames.push(new Frame(false, live));
      }
      case ELSE -> {
        Frame f = frames.peek();
        f.hasElse = true;
        f.thenFallsThrough = live;
        live = f.liveOnEntry;
      }
      case END -> {
        if (frames.isEmpty()) {
          live = false; // the function's own end
          return;
        }
        Frame f = frames.pop();
        live =
            live
                || (!f.loop && f.branchedTo)
                || (f.isIf && (f.hasElse ? f.thenFallsThrough : f.liveOnEntry));
      }
      case BR -> {
        branchTo(ins.operand(0));
        live = false;
      }
      case BR_IF, BR_ON_NULL, BR_ON_NON_NULL -> branchTo(ins.operand(0));
      case BR_ON_CAST, BR_ON_CAST_FAIL -> {
        // Whichever label it names, take every block as a target: code wrongly taken as live
        // fails Chicory's compile, loudly; code wrongly taken as dead would go uncounted.
        if (live) {
          frames.forEach(f -> f.branchedTo = true);
        }
      }
      case BR_TABLE -> {
        for (long label : ins.operands()) {
          branchTo(label);
        }
        live = false;
      }
      case UNREACHABLE,
          RETURN,
          RETURN_CALL,
          RETURN_CALL_INDIRECT,
          RETURN_CALL_REF,
          THROW,
          THROW_REF ->
          live = false;
      default -> {}
    }
  }

  private void branchTo(long label) {
    if (!live || label >= frames.size()) {
      return;
    }
    int i = 0;
    for (Frame f : frames) {
      if (i++ == label) {
        f.branchedTo = true;
        return;
      }
    }
  }
}
