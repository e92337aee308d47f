package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.List;

/**
 * Rewriters for the non-code sections that gain an entry or hold function indices. Each reads the
 * original section contents and returns the new contents; unchanged stretches are copied byte for
 * byte.
 */
final class Sections {
  private static final int KIND_FUNC = 0x00;
  private static final int KIND_GLOBAL = 0x03;
  private static final int I32 = 0x7F;

  private Sections() {}

  /** The type section with the plan's function types appended, each its own implicit rec group. */
  static ByteSink types(ByteReader in, Plan plan) throws RewriteException {
    int count = in.u32();
    ByteSink out = new ByteSink(in.end() - in.pos() + 8 * plan.appendedTypes().size() + 8);
    out.u32((long) count + plan.appendedTypes().size());
    in.copyRest(out);
    appendedTypes(out, plan);
    return out;
  }

  static void appendedTypes(ByteSink out, Plan plan) {
    for (FunctionType type : plan.appendedTypes()) {
      out.u8(0x60);
      out.u32(type.params().size());
      for (ValType t : type.params()) {
        valType(out, t);
      }
      out.u32(type.returns().size());
      for (ValType t : type.returns()) {
        valType(out, t);
      }
    }
  }

  /**
   * Whether a function type names no other type (only numbers, vectors and abstract references).
   */
  static boolean isPlain(FunctionType type) {
    for (List<ValType> list : List.of(type.params(), type.returns())) {
      for (ValType t : list) {
        if (isReference(t) && t.typeIdx() >= 0) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isReference(ValType t) {
    return t.opcode() == ValType.ID.Ref || t.opcode() == ValType.ID.RefNull;
  }

  /**
   * Encodes a value type. A nullable abstract reference takes its one-byte short form ({@code
   * funcref} is {@code 0x70}), which every engine and wabt without the GC feature accepts.
   */
  private static void valType(ByteSink out, ValType t) {
    if (!isReference(t)) {
      out.u8(t.opcode());
    } else if (t.opcode() == ValType.ID.RefNull && t.typeIdx() < 0) {
      out.u8(t.typeIdx() & 0x7F);
    } else {
      out.u8(t.opcode());
      out.s32(t.typeIdx());
    }
  }

  /** The function section with the type of every body, then of the sync function, appended. */
  static ByteSink functions(ByteReader in, Plan plan) throws RewriteException {
    int count = in.u32();
    if (count != plan.defined()) {
      throw new RewriteException("function section disagrees with the parsed module");
    }
    if (count == 0) {
      ByteSink empty = new ByteSink(8);
      empty.u32(0);
      return empty;
    }
    ByteSink out = new ByteSink(2 * (in.end() - in.pos()) + 8);
    out.u32(2L * count + 1);
    in.copyRest(out);
    for (int type : plan.bodyTypes()) {
      out.u32(type);
    }
    out.u32(plan.syncType());
    return out;
  }

  /** The import section with {@code lunar.yield} appended after every original import. */
  static ByteSink imports(ByteReader in, Plan plan) throws RewriteException {
    int count = in.u32();
    ByteSink out = new ByteSink(in.end() - in.pos() + 16);
    out.u32((long) count + 1);
    in.copyRest(out);
    yieldImport(out, plan);
    return out;
  }

  static void yieldImport(ByteSink out, Plan plan) {
    out.name(ReductionRewriter.YIELD_MODULE);
    out.name(ReductionRewriter.YIELD_NAME);
    out.u8(KIND_FUNC);
    out.u32(plan.yieldType());
  }

  /** The global section, with ref.func shifted in initialisers and the budget appended. */
  static ByteSink globals(ByteReader in, Plan plan) throws RewriteException {
    int count = in.u32();
    ByteSink out = new ByteSink(in.end() - in.pos() + 8);
    out.u32((long) count + 1);
    for (int i = 0; i < count; i++) {
      int from = in.pos();
      in.skipValType();
      in.u8(); // mutability
      in.copySince(from, out);
      constExpr(in, out, plan);
    }
    budgetGlobal(out);
    return out;
  }

  /** {@code (global (mut i32) (i32.const 1))}: the first check at once drops it to 0 and yields. */
  static void budgetGlobal(ByteSink out) {
    out.u8(I32);
    out.u8(0x01);
    out.u8(0x41);
    out.u8(0x01);
    out.u8(0x0B);
  }

  /** The export section with function-kind export indices shifted. */
  static ByteSink exports(ByteReader in, Plan plan) throws RewriteException {
    int count = in.u32();
    ByteSink out = new ByteSink(in.end() - in.pos() + 8);
    out.u32(count);
    for (int i = 0; i < count; i++) {
      int from = in.pos();
      in.skipName();
      int kind = in.u8();
      int at = in.pos();
      long index = Integer.toUnsignedLong(in.u32());
      // Chicory checks export targets only at instantiation. An out-of-range global export
      // would silently name the budget global after the rewrite, so refuse it here.
      if (kind == KIND_FUNC && index >= plan.functions()) {
        throw new RewriteException("invalid module: unknown function " + index + " in export");
      }
      if (kind == KIND_GLOBAL && index >= plan.budgetGlobal()) {
        throw new RewriteException("invalid module: unknown global " + index + " in export");
      }
      if (kind == KIND_FUNC && plan.shift(index) != index) {
        out.bytes(in.buffer(), from, at - from); // name and kind
        out.u32(plan.shift(index));
      } else {
        in.copySince(from, out);
      }
    }
    return out;
  }

  static ByteSink start(ByteReader in, Plan plan) throws RewriteException {
    ByteSink out = new ByteSink(8);
    int from = in.pos();
    if (Integer.toUnsignedLong(in.u32()) >= plan.functions()) {
      throw new RewriteException("invalid module: unknown start function");
    }
    ByteReader again = new ByteReader(in.buffer(), from, in.end());
    funcIndex(again, out, plan);
    return out;
  }

  /**
   * The element section. The three low flag bits select the encoding: bit 0 passive or declarative,
   * bit 1 an explicit table index (when active) or declarative, bit 2 expressions instead of
   * function indices.
   */
  static ByteSink elements(ByteReader in, Plan plan) throws RewriteException {
    int count = in.u32();
    ByteSink out = new ByteSink(in.end() - in.pos() + 64);
    out.u32(count);
    for (int i = 0; i < count; i++) {
      int flags = in.u32();
      if (flags > 7) {
        throw new RewriteException("unknown element segment flags " + flags);
      }
      out.u32(flags);
      boolean active = (flags & 1) == 0;
      if (active && (flags & 2) != 0) {
        int from = in.pos();
        in.u32(); // table index
        in.copySince(from, out);
      }
      if (active) {
        constExpr(in, out, plan);
      }
      boolean exprs = (flags & 4) != 0;
      if ((flags & 3) != 0) {
        int from = in.pos();
        if (exprs) {
          in.skipValType(); // reference type
        } else {
          in.u8(); // element kind
        }
        in.copySince(from, out);
      }
      int n = in.u32();
      out.u32(n);
      for (int k = 0; k < n; k++) {
        if (exprs) {
          constExpr(in, out, plan);
        } else {
          funcIndex(in, out, plan);
        }
      }
    }
    if (in.hasMore()) {
      throw new RewriteException("trailing bytes in element section");
    }
    return out;
  }

  /**
   * Copies one constant expression up to and including its {@code end}, shifting {@code ref.func}.
   * Only the instructions allowed in constant expressions (MVP, extended-const, GC) are known.
   */
  static void constExpr(ByteReader in, ByteSink out, Plan plan) throws RewriteException {
    while (true) {
      int from = in.pos();
      int op = in.u8();
      switch (op) {
        case 0x0B -> {
          out.u8(op);
          return;
        }
        case 0xD2 -> {
          out.u8(op);
          funcIndex(in, out, plan);
          continue;
        }
        case 0x41, 0x42, 0x23, 0xD0 -> in.skipLeb(); // i32/i64.const, global.get, ref.null
        case 0x43 -> in.skip(4);
        case 0x44 -> in.skip(8);
        case 0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E -> {} // extended-const arithmetic
        case 0xFD -> {
          if (in.u32() != 12) {
            throw new RewriteException("unsupported SIMD instruction in constant expression");
          }
          in.skip(16); // v128.const
        }
        case 0xFB -> gcConst(in);
        default ->
            throw new RewriteException(
                String.format("unsupported opcode 0x%02X in constant expression", op));
      }
      in.copySince(from, out);
    }
  }

  /**
   * Copies a function index, shifted. An index that does not move keeps its original bytes, even if
   * the producer padded its LEB128, so unrelated bytes stay identical.
   */
  static void funcIndex(ByteReader in, ByteSink out, Plan plan) throws RewriteException {
    int from = in.pos();
    long index = Integer.toUnsignedLong(in.u32());
    long shifted = plan.shift(index);
    if (shifted == index) {
      in.copySince(from, out);
    } else {
      out.u32(shifted);
    }
  }

  private static void gcConst(ByteReader in) throws RewriteException {
    int sub = in.u32();
    switch (sub) {
      case 0, 1, 6, 7 -> in.u32(); // struct.new(_default), array.new(_default): type index
      case 8 -> {
        in.u32(); // array.new_fixed: type index, length
        in.u32();
      }
      case 0x1A, 0x1B, 0x1C -> {} // any.convert_extern, extern.convert_any, ref.i31
      default -> throw new RewriteException("unsupported GC instruction in constant expression");
    }
  }
}
