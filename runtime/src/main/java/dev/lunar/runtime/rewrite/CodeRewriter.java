package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites the code section: a tick at the start of every function body, and a count of loop
 * iterations at every loop header, except a loop whose every iteration surely calls a defined
 * function first (that function's own tick counts the iteration). The iterations are counted in a
 * local of their own, added after the function's others, and ticked off {@link #BATCH} at a time;
 * what is left is ticked off on every way out of the function that can be reached (its end, a
 * return, a tail call, a branch to its outermost label), so the count stays exact. Only a wasm
 * exception that leaves the function (thrown out of it, or caught by a {@code try_table} whose
 * label is the function's) loses what is left, fewer than {@code BATCH} iterations.
 *
 * <p>Chicory has already decoded every body; its instruction addresses are absolute offsets into
 * the module bytes (the parser's section buffers share the position of one buffer over the whole
 * module), so they locate where to insert without a decoder of our own. Bytes between are copied as
 * they are.
 */
final class CodeRewriter {
  /**
   * {@code i32.const -1, memory.grow 0, drop}: growing memory 0 by 2^32-1 pages, which always fails
   * and returns -1, and which {@code SparseMemory} takes as one reduction.
   */
  static final byte[] TICK = {0x41, 0x7F, 0x40, 0x00, 0x1A};

  /**
   * Loop iterations are ticked off this many at a time, by a {@code memory.grow} of 2^32-BATCH
   * pages: the budget's field in the memory, written once per iteration, cost a tight loop about a
   * fifth of its speed; a local costs it about half as much (docs/DECISIONS.md).
   */
  static final int BATCH = 64;

  private static final int I32 = 0x7F;
  private static final int EMPTY = 0x40;
  private static final int IF = 0x04;
  private static final int END_OP = 0x0B;
  private static final int LOCAL_GET = 0x20;
  private static final int LOCAL_SET = 0x21;
  private static final int LOCAL_TEE = 0x22;
  private static final int I32_CONST = 0x41;
  private static final int I32_GE_U = 0x4F;
  private static final int I32_ADD = 0x6A;
  private static final int I32_SUB = 0x6B;

  /** Instructions that may leave the straight line from a loop header to a call. */
  private static final Set<OpCode> CONTROL =
      EnumSet.of(
          OpCode.UNREACHABLE,
          OpCode.BLOCK,
          OpCode.LOOP,
          OpCode.IF,
          OpCode.ELSE,
          OpCode.END,
          OpCode.BR,
          OpCode.BR_IF,
          OpCode.BR_TABLE,
          OpCode.RETURN,
          OpCode.RETURN_CALL,
          OpCode.RETURN_CALL_INDIRECT,
          OpCode.RETURN_CALL_REF,
          OpCode.THROW,
          OpCode.THROW_REF,
          OpCode.TRY_TABLE,
          OpCode.BR_ON_NULL,
          OpCode.BR_ON_NON_NULL,
          OpCode.BR_ON_CAST,
          OpCode.BR_ON_CAST_FAIL);

  private final byte[] wasm;
  private final WasmModule module;
  private final int funcImports;

  CodeRewriter(byte[] wasm, WasmModule module, int funcImports) {
    this.wasm = wasm;
    this.module = module;
    this.funcImports = funcImports;
  }

  ByteSink rewrite(ByteReader in) throws RewriteException {
    int count = in.u32();
    if (count != module.codeSection().functionBodyCount()) {
      throw new RewriteException("code section disagrees with the parsed module");
    }
    ByteSink out = new ByteSink(in.end() - in.pos() + 16 * count + 16);
    out.u32(count);
    ByteSink body = new ByteSink(1024);
    for (int i = 0; i < count; i++) {
      int size = in.u32();
      int start = in.pos();
      in.skip(size);
      body.reset();
      function(i, new ByteReader(wasm, start, start + size), body);
      out.u32(body.size());
      out.sink(body);
    }
    return out;
  }

  private void function(int index, ByteReader in, ByteSink out) throws RewriteException {
    int locals = in.pos();
    int groups = in.u32();
    int groupsStart = in.pos();
    for (int g = 0; g < groups; g++) {
      in.u32();
      in.skipValType();
    }
    FunctionBody fn = module.codeSection().getFunctionBody(index);
    List<AnnotatedInstruction> code = fn.instructions();
    if (code.isEmpty() || code.get(0).address() != in.pos()) {
      throw new RewriteException("cannot locate the instructions of function " + index);
    }
    int copied = in.pos();
    BitSet loops = new BitSet();
    for (int k = 0; k < code.size(); k++) {
      if (code.get(k).opcode() == OpCode.LOOP && !callsFirst(code, k)) {
        loops.set(k);
      }
    }
    if (loops.isEmpty()) {
      out.bytes(wasm, locals, copied - locals); // the locals, as they are
      out.bytes(TICK, 0, TICK.length);
      out.bytes(wasm, copied, in.end() - copied);
      return;
    }
    // One more local, after all the others: the loop iterations not yet ticked off.
    int params =
        module.functionSection().getFunctionType(index, module.typeSection()).params().size();
    int counter = params + fn.localTypes().size();
    out.u32(groups + 1);
    out.bytes(wasm, groupsStart, copied - groupsStart);
    out.u32(1);
    out.u8(I32);
    out.bytes(TICK, 0, TICK.length);
    copied = countLoops(code, loops, counter, copied, out);
    out.bytes(wasm, copied, in.end() - copied);
  }

  /**
   * Copies the instructions from {@code copied} on, with an iteration count after each loop header
   * in {@code loops} and the settling of the count before each way out of the function, inserted
   * only where the code can be reached. Returns how far it copied.
   */
  private int countLoops(
      List<AnnotatedInstruction> code, BitSet loops, int counter, int copied, ByteSink out) {
    Reach reach = new Reach();
    for (int k = 0; k < code.size(); k++) {
      AnnotatedInstruction ins = code.get(k);
      if (reach.live() && leavesFunction(ins, reach.depth(), k == code.size() - 1)) {
        out.bytes(wasm, copied, ins.address() - copied);
        copied = ins.address();
        settle(out, counter);
      }
      boolean liveLoop = reach.live() && loops.get(k);
      reach.step(ins);
      if (liveLoop) {
        // The block type ends where the next instruction starts; a loop is never last.
        int next = code.get(k + 1).address();
        out.bytes(wasm, copied, next - copied);
        copied = next;
        countIteration(out, counter);
      }
    }
    return copied;
  }

  /**
   * Whether {@code ins}, at block depth {@code depth}, may leave the function by a way the counter
   * must be settled before: a return, a tail call, the function's own end, or a branch that may
   * target the function's outermost label (label {@code depth}).
   */
  private static boolean leavesFunction(AnnotatedInstruction ins, int depth, boolean last) {
    return switch (ins.opcode()) {
      case RETURN, RETURN_CALL, RETURN_CALL_INDIRECT, RETURN_CALL_REF -> true;
      case END -> last;
      case BR, BR_IF, BR_ON_NULL, BR_ON_NON_NULL -> ins.operand(0) == depth;
      case BR_TABLE -> {
        for (long label : ins.operands()) {
          if (label == depth) {
            yield true;
          }
        }
        yield false;
      }
      case BR_ON_CAST, BR_ON_CAST_FAIL -> true;
      default -> false;
    };
  }

  /** A loop iteration: {@code counter += 1; if (counter >= BATCH) { tick BATCH; counter = 0 }}. */
  private static void countIteration(ByteSink out, int counter) {
    out.u8(LOCAL_GET);
    out.u32(counter);
    out.u8(I32_CONST);
    out.s32(1);
    out.u8(I32_ADD);
    out.u8(LOCAL_TEE);
    out.u32(counter);
    out.u8(I32_CONST);
    out.s32(BATCH);
    out.u8(I32_GE_U);
    out.u8(IF);
    out.u8(EMPTY);
    out.u8(I32_CONST);
    out.s32(-BATCH);
    tickAndClear(out, counter);
  }

  /**
   * Ticks off the iterations counted so far: {@code if (counter) { tick counter; counter = 0 }}.
   */
  private static void settle(ByteSink out, int counter) {
    out.u8(LOCAL_GET);
    out.u32(counter);
    out.u8(IF);
    out.u8(EMPTY);
    out.u8(I32_CONST);
    out.s32(0);
    out.u8(LOCAL_GET);
    out.u32(counter);
    out.u8(I32_SUB);
    tickAndClear(out, counter);
  }

  /**
   * The end of both insertions: ticks off the count on the stack ({@code memory.grow 0, drop}),
   * zeroes the counter and closes their {@code if}.
   */
  private static void tickAndClear(ByteSink out, int counter) {
    out.bytes(TICK, 2, TICK.length - 2);
    out.u8(I32_CONST);
    out.s32(0);
    out.u8(LOCAL_SET);
    out.u32(counter);
    out.u8(END_OP);
  }

  /**
   * Whether every iteration of the loop at {@code k} reaches a direct call to a defined function
   * (which ticks on entry) before anything that could branch: then the loop header need not tick
   * too. Calls through tables or references do not count: a table may hold host functions, which
   * never tick.
   */
  private boolean callsFirst(List<AnnotatedInstruction> code, int k) {
    for (int j = k + 1; j < code.size(); j++) {
      AnnotatedInstruction ins = code.get(j);
      if (ins.opcode() == OpCode.CALL && ins.operand(0) >= funcImports) {
        return true;
      }
      if (CONTROL.contains(ins.opcode())) {
        return false;
      }
    }
    return false;
  }
}
