package dev.lunar.jmh;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.lunar.runtime.rewrite.ReductionRewriter;
import dev.lunar.runtime.rewrite.RewriteException;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The reduction-counting rewrite of a whole module, as every module pays once when it is loaded:
 * bundled examples of three sizes, read from the class path. Rewrites per second; times the
 * module's size (below) gives bytes per second. {@code parseOnly} is the peer: Chicory's parse of
 * the same bytes, the first step of the rewrite.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RewriteBench {
  /** asecho: AssemblyScript, 18 KB; fib: C with wasi-libc, 139 KB; chat: the largest, 278 KB. */
  @Param({"asecho", "fib", "chat"})
  String module;

  private byte[] wasm;

  @Setup
  public void setup() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/lunar/examples/" + module + ".wasm")) {
      if (in == null) {
        throw new IllegalStateException("no example " + module + " on the class path");
      }
      wasm = in.readAllBytes();
    }
  }

  @Benchmark
  public byte[] rewrite() throws RewriteException {
    return ReductionRewriter.rewrite(wasm);
  }

  /** Chicory's parse alone, which the rewrite starts with: how much of the rewrite is parsing. */
  @Benchmark
  public WasmModule parseOnly() {
    return Parser.parse(wasm);
  }
}
