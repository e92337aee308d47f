package dev.lunar.runtime.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    assertEquals(before.codeSection().functionBodyCount(), after.codeSection().functionBodyCount());
    for (int id = 1; id <= 12; id++) {
      if (id != 10) { // every section but the code is kept byte for byte
        assertArrayEquals(section(original, id), section(rewritten, id), "section " + id);
      }
    }
    // Every function gains a tick at its start, every loop at most one more.
    byte[] code = section(original, 10);
    byte[] rewrittenCode = section(rewritten, 10);
    int bodies = before.codeSection().functionBodyCount();
    int ticks = count(rewrittenCode, CodeRewriter.TICK) - count(code, CodeRewriter.TICK);
    assertTrue(ticks >= bodies, ticks + " ticks");
    // The code grows by the ticks, and by a byte where a body's size needs one more to encode.
    int grown = rewrittenCode.length - code.length - CodeRewriter.TICK.length * ticks;
    assertTrue(grown >= 0 && grown <= bodies, "grew " + grown + " bytes besides the ticks");
  }

  /** How many times {@code pattern} occurs in {@code wasm}. */
  private static int count(byte[] wasm, byte[] pattern) {
    int n = 0;
    for (int i = 0; i + pattern.length <= wasm.length; i++) {
      if (java.util.Arrays.equals(wasm, i, i + pattern.length, pattern, 0, pattern.length)) {
        n++;
      }
    }
    return n;
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
