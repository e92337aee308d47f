package dev.lunar.runtime.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.IOException;
import java.io.InputStream;
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
    assertEquals(
        2 * before.codeSection().functionBodyCount() + 1, after.codeSection().functionBodyCount());
    assertEquals(before.importSection().importCount() + 1, after.importSection().importCount());
    assertEquals(
        2 * before.functionSection().functionCount() + 1, after.functionSection().functionCount());
    for (int id : new int[] {4, 5, 11, 12}) { // table, memory, data, data count
      assertArrayEquals(section(original, id), section(rewritten, id), "section " + id);
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
