package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites the code section: a tick at the start of every function body and at every loop header,
 * except a loop whose every iteration surely calls a defined function first (that function's own
 * tick counts the iteration). Chicory has already decoded every body; its instruction addresses are
 * absolute offsets into the module bytes (the parser's section buffers share the position of one
 * buffer over the whole module), so they locate the loop headers without a decoder of our own.
 * Bytes between them are copied as they are.
 */
final class CodeRewriter {
  /**
   * {@code i32.const -1, memory.grow 0, drop}: growing memory 0 by 2^32-1 pages, which always fails
   * and returns -1, and which {@code SparseMemory} takes as one reduction.
   */
  static final byte[] TICK = {0x41, 0x7F, 0x40, 0x00, 0x1A};

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
    for (int g = 0; g < groups; g++) {
      in.u32();
      in.skipValType();
    }
    List<AnnotatedInstruction> code = module.codeSection().getFunctionBody(index).instructions();
    if (code.isEmpty() || code.get(0).address() != in.pos()) {
      throw new RewriteException("cannot locate the instructions of function " + index);
    }
    int copied = in.pos();
    out.bytes(wasm, locals, copied - locals); // the locals, as they are
    out.bytes(TICK, 0, TICK.length);
    for (int k = 0; k < code.size(); k++) {
      if (code.get(k).opcode() == OpCode.LOOP && !callsFirst(code, k)) {
        // The block type ends where the next instruction starts; a loop is never last.
        int next = code.get(k + 1).address();
        out.bytes(wasm, copied, next - copied);
        out.bytes(TICK, 0, TICK.length);
        copied = next;
      }
    }
    out.bytes(wasm, copied, in.end() - copied);
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
