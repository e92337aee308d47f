package dev.lunar.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.compiler.Cache;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleLoaderTest {
  @TempDir Path tmp;

  private String loadError(byte[] bytes) {
    var e = assertThrows(ModuleException.class, () -> ModuleLoader.inMemory(true).load("m", bytes));
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void rejectsWhatIsNotWasm() {
    assertEquals(
        "not a WebAssembly module (no \\0asm magic number)", loadError("#!/bin/sh\n".getBytes()));
    assertEquals("not a WebAssembly module (no \\0asm magic number)", loadError(new byte[0]));
  }

  @Test
  void rejectsTruncatedModule() {
    byte[] hello = TestModules.example("hello");
    assertTrue(loadError(Arrays.copyOf(hello, 6)).contains("truncated"));
    assertTrue(loadError(Arrays.copyOf(hello, hello.length / 2)).startsWith("invalid module: "));
  }

  @Test
  void rejectsComponentsAndOtherVersions() {
    byte[] component = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};
    assertTrue(loadError(component).contains("component"));
  }

  @Test
  void rejectsInvalidModule() {
    // (func (result i32)) with an empty body: the validator must catch the missing value.
    byte[] bytes = {
      0,
      'a',
      's',
      'm',
      1,
      0,
      0,
      0, // header
      1,
      5,
      1,
      0x60,
      0,
      1,
      0x7f, // type section: [] -> [i32]
      3,
      2,
      1,
      0, // function section
      10,
      4,
      1,
      2,
      0,
      0x0b // code section: no locals, end
    };
    assertTrue(loadError(bytes).startsWith("invalid module: "), loadError(bytes));
  }

  @Test
  void requiresStart() {
    assertEquals(
        "no _start export: not a WASI command module",
        loadError(TestModules.wat("(module (func (export \"main\")))")));
    assertEquals(
        "_start must take and return nothing",
        loadError(TestModules.wat("(module (func (export \"_start\") (param i32)))")));
  }

  @Test
  void namesMissingFile() {
    var e =
        assertThrows(
            ModuleException.class,
            () -> ModuleLoader.inMemory(false).load(tmp.resolve("nope.wasm")));
    assertEquals("no such file", e.getMessage());
  }

  @Test
  void sameBytesLoadOnce() throws Exception {
    var loader = ModuleLoader.inMemory(true);
    byte[] bytes = TestModules.example("hello");
    LoadedModule first = loader.load("a.wasm", bytes);
    LoadedModule again = loader.load("b.wasm", bytes.clone());
    assertSame(first.module(), again.module());
    assertEquals("b.wasm", again.name());
    assertNotSame(first.module(), loader.load("c", TestModules.example("cat")).module());
  }

  @Test
  void compiledBytecodeIsCachedOnDiskAndReused() throws Exception {
    byte[] bytes = TestModules.example("fib");
    Path cache = tmp.resolve("cache");
    new ModuleLoader(cache, false).load("fib", bytes);
    List<Path> entries;
    try (var files = Files.list(cache)) {
      entries = files.toList();
    }
    assertEquals(1, entries.size());
    assertTrue(entries.get(0).getFileName().toString().endsWith(".jar"));
    byte[] stored = Files.readAllBytes(entries.get(0));

    // A fresh loader (a new `lunar run`) takes the bytecode from disk instead of compiling.
    var hits = new AtomicInteger();
    var puts = new AtomicInteger();
    var disk = new DiskCache(cache);
    var counting =
        new Cache() {
          @Override
          public byte[] get(String key) throws IOException {
            byte[] data = disk.get(key);
            if (data != null) {
              hits.incrementAndGet();
            }
            return data;
          }

          @Override
          public void putIfAbsent(String key, byte[] data) {
            puts.incrementAndGet();
          }
        };
    var fresh = new ModuleLoader(counting, false, true).load("fib", bytes);
    assertEquals(1, hits.get());
    assertEquals(0, puts.get());
    assertArrayEquals(stored, Files.readAllBytes(entries.get(0)));
    var out = new ByteArrayOutputStream();
    var spec =
        new GuestSpec(
            List.of("20"),
            Map.of(),
            Map.of(),
            new ByteArrayInputStream(new byte[0]),
            out,
            new ByteArrayOutputStream());
    assertEquals(ExitReason.NORMAL, Guest.run(fresh, spec));
    assertEquals("fib(20) = 6765\n", out.toString());
  }

  @Test
  void diskCacheIgnoresAMissingEntry() throws Exception {
    assertNull(new DiskCache(tmp.resolve("none")).get("sha-256:abc/def="));
  }
}
