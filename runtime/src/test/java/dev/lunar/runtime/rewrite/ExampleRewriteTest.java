package dev.lunar.runtime.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.OpCode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The rewriter on the bundled example guests: real clang and wat2wasm output. */
class ExampleRewriteTest {
  @ParameterizedTest
  @ValueSource(strings = {"hello", "fib", "ls", "cat", "exit", "deep", "trap", "hello-wat"})
  void rewritesTheBundledExamples(String name) throws IOException, RewriteException {
    byte[] original = example(name);
    byte[] rewritten = ReductionRewriter.rewrite(original);
    assertNull(Wabt.validate(rewritten));
    WasmModule before = Parser.parse(original);
    WasmModule after = Parser.parse(rewritten);
    assertEquals(before.codeSection().functionBodyCount(), after.codeSection().functionBodyCount());
    for (int id = 1; id <= 12; id++) {
      if (id != 10) { // every section but the code is kept byte for byte
        assertArrayEquals(section(original, id), section(rewritten, id), "section " + id);
      }
    }
    // Every function gains a tick at its start, a loop at most an iteration count, a way out of
    // the function at most the settling of the count; nothing else changes.
    for (int f = 0; f < before.codeSection().functionBodyCount(); f++) {
      List<OpCode> ops = opcodes(after, f);
      assertEquals(ReductionRewriterTest.TICK, ops.subList(0, 3), "function " + f);
      List<OpCode> rest = new ArrayList<>(ops.subList(3, ops.size()));
      remove(rest, ReductionRewriterTest.COUNT_ITERATION);
      remove(rest, ReductionRewriterTest.SETTLE);
      assertEquals(opcodes(before, f), rest, "function " + f);
    }
  }

  private static List<OpCode> opcodes(WasmModule module, int function) {
    return module.codeSection().getFunctionBody(function).instructions().stream()
        .map(AnnotatedInstruction::opcode)
        .toList();
  }

  /** Removes every occurrence of {@code seq} from {@code ops}. */
  private static void remove(List<OpCode> ops, List<OpCode> seq) {
    for (int i = 0; i + seq.size() <= ops.size(); ) {
      if (ops.subList(i, i + seq.size()).equals(seq)) {
        ops.subList(i, i + seq.size()).clear();
      } else {
        i++;
      }
    }
  }

  @Test
  void rewritingIsDeterministic() throws IOException, RewriteException {
    byte[] original = example("hello");
    assertArrayEquals(ReductionRewriter.rewrite(original), ReductionRewriter.rewrite(original));
  }

  /** The raw contents of the first section with this id, or an empty array. */
  static byte[] section(byte[] wasm, int id) {
    int pos = 8;
    while (pos < wasm.length) {
      int sectionId = wasm[pos++];
      int size = 0;
      for (int shift = 0; ; shift += 7) {
        int b = wasm[pos++] & 0xFF;
        size |= (b & 0x7F) << shift;
        if (b < 0x80) {
          break;
        }
      }
      if (sectionId == id) {
        return java.util.Arrays.copyOfRange(wasm, pos, pos + size);
      }
      pos += size;
    }
    return new byte[0];
  }

  static byte[] example(String name) throws IOException {
    try (InputStream in =
        ExampleRewriteTest.class.getResourceAsStream("/lunar/examples/" + name + ".wasm")) {
      if (in == null) {
        throw new IllegalArgumentException("no example " + name);
      }
      return in.readAllBytes();
    }
  }
}
