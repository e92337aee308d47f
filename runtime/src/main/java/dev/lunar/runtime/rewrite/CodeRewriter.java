package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.List;

/**
 * Rewrites the code section. Chicory has already decoded every body; its instruction addresses are
 * absolute offsets into the module bytes (the parser's section buffers share the position of one
 * buffer over the whole module), so they locate the few instructions that change without a decoder
 * of our own. Bytes between them are copied as they are.
 */
final class CodeRewriter {
  private static final int I32 = 0x7F;

  /**
   * Loop iterations counted in a local before they are taken off the budget global. Under 64, so
   * that its unsigned LEB128 encoding (what {@link ByteSink#u32} writes) is also its signed one.
   */
  static final int BATCH = 16;

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
    if (count != module.codeSection().functionBodyCount()) {
      throw new RewriteException("code section disagrees with the parsed module");
    }
    ByteSink out = new ByteSink(in.end() - in.pos() + in.end() / 8 + 64);
    ByteSink body = new ByteSink(1024);
    out.u32(count);
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
    int params =
        module.functionSection().getFunctionType(index, module.typeSection()).params().size();
    long scratch = params;
    int groups = in.u32();
    out.u32((long) groups + 1);
    int from = in.pos();
    for (int g = 0; g < groups; g++) {
      scratch += Integer.toUnsignedLong(in.u32());
      in.skipValType();
    }
    in.copySince(from, out);
    // One more group of one i32 at the end: existing locals keep their indices.
    out.u32(2);
    out.u8(I32);

    List<AnnotatedInstruction> code = module.codeSection().getFunctionBody(index).instructions();
    if (code.isEmpty() || code.get(0).address() != in.pos()) {
      throw new RewriteException("cannot locate the instructions of function " + index);
    }
    long batch = scratch + 1;
    byte[] check = entryCheck(scratch);
    out.bytes(check, 0, check.length);
    byte[] loopCheck = null;
    for (AnnotatedInstruction ins : code) {
      if (ins.opcode() == OpCode.LOOP) {
        loopCheck = loopCheck(scratch, batch);
        out.u8(0x41); // i32.const BATCH
        out.u32(BATCH);
        out.u8(0x21); // local.set $batch
        out.u32(batch);
        break;
      }
    }
    int copied = in.pos();
    for (int k = 0; k < code.size(); k++) {
      AnnotatedInstruction ins = code.get(k);
      OpCode op = ins.opcode();
      if (op == OpCode.LOOP) {
        // The block type ends where the next instruction starts; a loop is never last.
        int next = code.get(k + 1).address();
        out.bytes(wasm, copied, next - copied);
        out.bytes(loopCheck, 0, loopCheck.length);
        copied = next;
      } else if (op == OpCode.CALL || op == OpCode.RETURN_CALL || op == OpCode.REF_FUNC) {
        int immediate = ins.address() + 1; // all three have a one-byte opcode
        out.bytes(wasm, copied, immediate - copied);
        ByteReader imm = new ByteReader(wasm, immediate, in.end());
        Sections.funcIndex(imm, out, plan);
        copied = imm.pos();
      }
    }
    out.bytes(wasm, copied, in.end() - copied);
  }

  /**
   * The check at function entry: one reduction off the budget global, and a yield once it is used
   * up. Encoded once per function, since only the scratch local's index varies.
   */
  private byte[] entryCheck(long scratch) {
    ByteSink s = new ByteSink(32);
    spend(s, scratch, 1);
    return s.toByteArray();
  }

  /**
   * The check at a loop header. Reading and writing the budget global costs a chain of dependent
   * loads in Chicory's compiled code, several times the work of a tight loop body, so iterations
   * are counted in a local and taken off the global {@link #BATCH} at a time.
   */
  private byte[] loopCheck(long scratch, long batch) {
    ByteSink s = new ByteSink(48);
    s.u8(0x20); // local.get $batch
    s.u32(batch);
    s.u8(0x41); // i32.const 1
    s.u8(0x01);
    s.u8(0x6B); // i32.sub
    s.u8(0x22); // local.tee $batch
    s.u32(batch);
    s.u8(0x45); // i32.eqz
    s.u8(0x04); // if, empty block type
    s.u8(0x40);
    s.u8(0x41); // i32.const BATCH
    s.u32(BATCH);
    s.u8(0x21); // local.set $batch
    s.u32(batch);
    spend(s, scratch, BATCH);
    s.u8(0x0B); // end
    return s.toByteArray();
  }

  /**
   * {@code $budget -= reductions; if ($budget <= 0) $budget = yield()}, reading the global once
   * through the scratch local. The budget may step past zero by up to a batch, hence {@code <=}.
   */
  private void spend(ByteSink s, long scratch, int reductions) {
    s.u8(0x23); // global.get $budget
    s.u32(plan.budgetGlobal());
    s.u8(0x41); // i32.const reductions (under 64: its unsigned and signed LEB128 agree)
    s.u32(reductions);
    s.u8(0x6B); // i32.sub
    s.u8(0x22); // local.tee $scratch
    s.u32(scratch);
    s.u8(0x24); // global.set $budget
    s.u32(plan.budgetGlobal());
    s.u8(0x20); // local.get $scratch
    s.u32(scratch);
    s.u8(0x41); // i32.const 0
    s.u8(0x00);
    s.u8(0x4C); // i32.le_s
    s.u8(0x04); // if, empty block type
    s.u8(0x40);
    s.u8(0x10); // call $yield
    s.u32(plan.yieldFunc());
    s.u8(0x24); // global.set $budget
    s.u32(plan.budgetGlobal());
    s.u8(0x0B); // end
  }
}
