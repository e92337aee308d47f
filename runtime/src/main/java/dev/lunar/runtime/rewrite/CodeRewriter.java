package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites the code section: an entry per defined function, then the function's body taking the
 * budget as its last parameter, then the sync function (see {@link ReductionRewriter} for the
 * scheme). Chicory has already decoded every body; its instruction addresses are absolute offsets
 * into the module bytes (the parser's section buffers share the position of one buffer over the
 * whole module), so they locate the few instructions that change without a decoder of our own.
 * Bytes between them are copied as they are.
 */
final class CodeRewriter {
  /**
   * The most a function is handed, and what it gives back to the budget global when it has spent
   * that. Between two looks at the global a thread makes at most 2^(BATCH-1) calls and loop
   * iterations (see {@link ReductionRewriter}), so this stays small.
   */
  static final int BATCH = 16;

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
  private final Plan plan;

  CodeRewriter(byte[] wasm, WasmModule module, Plan plan) {
    this.wasm = wasm;
    this.module = module;
    this.plan = plan;
  }

  ByteSink rewrite(ByteReader in) throws RewriteException {
    int count = in.u32();
    if (count != module.codeSection().functionBodyCount() || count != plan.defined()) {
      throw new RewriteException("code section disagrees with the parsed module");
    }
    ByteSink out = new ByteSink(2 * (in.end() - in.pos()) + 32 * count + 64);
    if (count == 0) {
      out.u32(0);
      return out;
    }
    ByteSink body = new ByteSink(1024);
    out.u32(2L * count + 1);
    for (int i = 0; i < count; i++) {
      body.reset();
      entry(i, body);
      out.u32(body.size());
      out.sink(body);
    }
    for (int i = 0; i < count; i++) {
      int size = in.u32();
      int start = in.pos();
      in.skip(size);
      body.reset();
      function(i, new ByteReader(wasm, start, start + size), body);
      out.u32(body.size());
      out.sink(body);
    }
    body.reset();
    sync(body);
    out.u32(body.size());
    out.sink(body);
    return out;
  }

  /**
   * The entry of defined function {@code index}, under its original index and type: it is reached
   * from outside the module's direct calls (exports, tables, {@code ref.func}, start), where no
   * budget comes along, so it charges one reduction to the global, takes a fresh allowance and
   * calls the body (a tail call, if the module uses tail calls anyway). Every {@code call_indirect}
   * lands here, so recursion through a table looks at the global on every call.
   */
  private void entry(int index, ByteSink out) {
    out.u32(0); // no locals
    for (int p = 0; p < plan.params()[index]; p++) {
      out.u8(0x20); // local.get p
      out.u32(p);
    }
    out.u8(0x41); // i32.const 1
    out.s32(1);
    out.u8(0x10); // call $sync
    out.u32(plan.syncFunc());
    out.u8(plan.tailCalls() ? 0x12 : 0x10); // return_call or call $body
    out.u32(plan.body(plan.funcImports() + index));
    out.u8(0x0B); // end
  }

  /**
   * {@code (func $sync (param $charge i32) (result i32))}: takes {@code $charge} off the budget
   * global, calls {@code lunar.yield} for a new budget once it is used up, and returns the next
   * allowance, {@link #BATCH}.
   */
  private void sync(ByteSink out) {
    out.u32(0); // no locals
    out.u8(0x23); // global.get $budget
    out.u32(plan.budgetGlobal());
    out.u8(0x20); // local.get $charge
    out.u32(0);
    out.u8(0x6B); // i32.sub
    out.u8(0x22); // local.tee $charge
    out.u32(0);
    out.u8(0x24); // global.set $budget
    out.u32(plan.budgetGlobal());
    out.u8(0x20); // local.get $charge
    out.u32(0);
    out.u8(0x41); // i32.const 0
    out.s32(0);
    out.u8(0x4C); // i32.le_s
    out.u8(0x04); // if, empty block type
    out.u8(0x40);
    out.u8(0x10); // call $yield
    out.u32(plan.yieldFunc());
    out.u8(0x24); // global.set $budget
    out.u32(plan.budgetGlobal());
    out.u8(0x0B); // end
    out.u8(0x41); // i32.const BATCH
    out.s32(BATCH);
    out.u8(0x0B); // end
  }

  /**
   * The body of defined function {@code index}: its original code with the budget as one more
   * parameter after the original ones, so declared locals move up by one. Every direct call to a
   * defined function spends one reduction and hands the callee what is left; every loop header
   * spends one, unless each iteration surely passes such a call first.
   */
  private void function(int index, ByteReader in, ByteSink out) throws RewriteException {
    int params = plan.params()[index];
    int groups = in.u32();
    out.u32(groups);
    int from = in.pos();
    for (int g = 0; g < groups; g++) {
      in.u32();
      in.skipValType();
    }
    in.copySince(from, out);

    List<AnnotatedInstruction> code = module.codeSection().getFunctionBody(index).instructions();
    if (code.isEmpty() || code.get(0).address() != in.pos()) {
      throw new RewriteException("cannot locate the instructions of function " + index);
    }
    byte[] spend = spend(params);
    int copied = in.pos();
    for (int k = 0; k < code.size(); k++) {
      AnnotatedInstruction ins = code.get(k);
      OpCode op = ins.opcode();
      int immediate = ins.address() + 1; // every opcode handled here is one byte
      switch (op) {
        case LOCAL_GET, LOCAL_SET, LOCAL_TEE -> {
          out.bytes(wasm, copied, immediate - copied);
          ByteReader imm = new ByteReader(wasm, immediate, in.end());
          long local = Integer.toUnsignedLong(imm.u32());
          out.u32(local >= params ? local + 1 : local);
          copied = imm.pos();
        }
        case CALL, RETURN_CALL -> {
          ByteReader imm = new ByteReader(wasm, immediate, in.end());
          long target = Integer.toUnsignedLong(imm.u32());
          if (plan.isDefined(target)) {
            out.bytes(wasm, copied, ins.address() - copied);
            out.bytes(spend, 0, spend.length);
            out.u8(0x20); // local.get $budget: the callee's last argument
            out.u32(params);
            out.u8(op == OpCode.CALL ? 0x10 : 0x12);
            out.u32(plan.body(target));
            copied = imm.pos();
          } else {
            out.bytes(wasm, copied, immediate - copied);
            imm = new ByteReader(wasm, immediate, in.end());
            Sections.funcIndex(imm, out, plan);
            copied = imm.pos();
          }
        }
        case REF_FUNC -> {
          out.bytes(wasm, copied, immediate - copied);
          ByteReader imm = new ByteReader(wasm, immediate, in.end());
          Sections.funcIndex(imm, out, plan);
          copied = imm.pos();
        }
        case LOOP -> {
          if (!callsFirst(code, k)) {
            // The block type ends where the next instruction starts; a loop is never last.
            int next = code.get(k + 1).address();
            out.bytes(wasm, copied, next - copied);
            out.bytes(spend, 0, spend.length);
            copied = next;
          }
        }
        default -> {}
      }
    }
    out.bytes(wasm, copied, in.end() - copied);
  }

  /**
   * Whether every iteration of the loop at {@code k} reaches a direct call to a defined function
   * (which spends a reduction) before anything that could branch: then the loop header need not
   * spend one too. Calls through tables or references do not count: a table may hold host
   * functions, which never look at the budget.
   */
  private boolean callsFirst(List<AnnotatedInstruction> code, int k) {
    for (int j = k + 1; j < code.size(); j++) {
      AnnotatedInstruction ins = code.get(j);
      if (ins.opcode() == OpCode.CALL && plan.isDefined(ins.operand(0))) {
        return true;
      }
      if (CONTROL.contains(ins.opcode())) {
        return false;
      }
    }
    return false;
  }

  /**
   * {@code $budget -= 1; if ($budget <= 0) $budget = sync(BATCH)}, on the budget parameter. Encoded
   * once per function, since only the parameter's index varies.
   */
  private byte[] spend(int budget) {
    ByteSink s = new ByteSink(24);
    s.u8(0x20); // local.get $budget
    s.u32(budget);
    s.u8(0x41); // i32.const 1
    s.s32(1);
    s.u8(0x6B); // i32.sub
    s.u8(0x22); // local.tee $budget
    s.u32(budget);
    s.u8(0x41); // i32.const 0
    s.s32(0);
    s.u8(0x4C); // i32.le_s
    s.u8(0x04); // if, empty block type
    s.u8(0x40);
    s.u8(0x41); // i32.const BATCH
    s.s32(BATCH);
    s.u8(0x10); // call $sync
    s.u32(plan.syncFunc());
    s.u8(0x21); // local.set $budget
    s.u32(budget);
    s.u8(0x0B); // end
    return s.toByteArray();
  }
}
