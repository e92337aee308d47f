package dev.lunar.runtime.wasi;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasi.WasiPreview1;
import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The WASI preview1 imports every guest gets, built once per JVM. Each call goes to the {@link
 * GuestWasi} of the process running on the calling thread ({@link #CURRENT}), so no spawn pays for
 * building host functions and one instance can serve process after process.
 */
public final class WasiImports {
  /** The guest whose wasm code runs on this thread; bound around all of a process's wasm code. */
  public static final ScopedValue<GuestWasi> CURRENT = ScopedValue.newInstance();

  private static final List<HostFunction> FUNCTIONS = build();

  private WasiImports() {}

  /** Chicory's WASI preview1 signatures, with our implementation behind every one. */
  public static List<HostFunction> functions() {
    return FUNCTIONS;
  }

  private static List<HostFunction> build() {
    Map<String, WasmFunctionHandle> ours = new HashMap<>();
    // Calls without a descriptor: Chicory's, on this process's own WasiPreview1.
    ours.put("args_get", call((g, a) -> g.chicory.argsGet(m(a), i(a, 1), i(a, 2))));
    ours.put("args_sizes_get", call((g, a) -> g.chicory.argsSizesGet(m(a), i(a, 1), i(a, 2))));
    ours.put("environ_get", call((g, a) -> g.chicory.environGet(m(a), i(a, 1), i(a, 2))));
    ours.put(
        "environ_sizes_get", call((g, a) -> g.chicory.environSizesGet(m(a), i(a, 1), i(a, 2))));
    ours.put("clock_res_get", call((g, a) -> g.chicory.clockResGet(m(a), i(a, 1), i(a, 2))));
    ours.put(
        "clock_time_get", call((g, a) -> g.chicory.clockTimeGet(m(a), i(a, 1), l(a, 2), i(a, 3))));
    ours.put("random_get", call((g, a) -> g.chicory.randomGet(m(a), i(a, 1), i(a, 2))));
    ours.put("sched_yield", call((g, a) -> g.chicory.schedYield()));
    ours.put("proc_raise", call((g, a) -> g.chicory.procRaise(i(a, 1))));
    ours.put("adapter_close_badfd", call((g, a) -> g.chicory.adapterCloseBadfd(i(a, 1))));
    ours.put("adapter_open_badfd", call((g, a) -> g.chicory.adapterOpenBadfd(i(a, 1))));
    ours.put(
        "proc_exit",
        (instance, args) -> {
          CURRENT.get().chicory.procExit((int) args[0]);
          return null;
        });
    // Calls on a descriptor: the tree's own, or passed to Chicory for host descriptors.
    ours.put("fd_prestat_get", call((g, a) -> g.prestatGet(m(a), i(a, 1), i(a, 2))));
    ours.put(
        "fd_prestat_dir_name", call((g, a) -> g.prestatDirName(m(a), i(a, 1), i(a, 2), i(a, 3))));
    ours.put("fd_close", call((g, a) -> g.close(i(a, 1))));
    ours.put("fd_read", call((g, a) -> g.read(m(a), i(a, 1), i(a, 2), i(a, 3), -1, i(a, 4))));
    ours.put("fd_pread", call((g, a) -> g.read(m(a), i(a, 1), i(a, 2), i(a, 3), l(a, 4), i(a, 5))));
    ours.put("fd_write", call((g, a) -> g.write(m(a), i(a, 1), i(a, 2), i(a, 3), -1, i(a, 4))));
    ours.put(
        "fd_pwrite", call((g, a) -> g.write(m(a), i(a, 1), i(a, 2), i(a, 3), l(a, 4), i(a, 5))));
    ours.put("fd_seek", call((g, a) -> g.seek(m(a), i(a, 1), l(a, 2), i(a, 3), i(a, 4))));
    ours.put("fd_tell", call((g, a) -> g.seek(m(a), i(a, 1), 0, 1, i(a, 2))));
    ours.put("fd_fdstat_get", call((g, a) -> g.fdstatGet(m(a), i(a, 1), i(a, 2))));
    ours.put("fd_fdstat_set_flags", call((g, a) -> g.fdstatSetFlags(i(a, 1), i(a, 2))));
    ours.put(
        "fd_fdstat_set_rights",
        call((g, a) -> g.host(i(a, 1), c -> g.chicory.fdFdstatSetRights(c, l(a, 2), l(a, 3)), 0)));
    ours.put("fd_filestat_get", call((g, a) -> g.filestatGet(m(a), i(a, 1), i(a, 2))));
    ours.put("fd_filestat_set_size", call((g, a) -> g.setSize(i(a, 1), l(a, 2))));
    ours.put(
        "fd_filestat_set_times",
        call((g, a) ->
            g.host(i(a, 1), c -> g.chicory.fdFilestatSetTimes(c, l(a, 2), l(a, 3), i(a, 4)), 0)));
    ours.put(
        "fd_advise",
        call((g, a) -> g.host(i(a, 1), c -> g.chicory.fdAdvise(c, l(a, 2), l(a, 3), i(a, 4)), 0)));
    ours.put(
        "fd_allocate",
        call((g, a) ->
            g.host(i(a, 1), c -> g.chicory.fdAllocate(c, l(a, 2), l(a, 3)), Errno.ENOTSUP.wasi())));
    ours.put("fd_datasync", call((g, a) -> g.sync(i(a, 1), g.chicory::fdDatasync)));
    ours.put("fd_sync", call((g, a) -> g.sync(i(a, 1), g.chicory::fdSync)));
    ours.put(
        "fd_readdir", call((g, a) -> g.readdir(m(a), i(a, 1), i(a, 2), i(a, 3), l(a, 4), i(a, 5))));
    ours.put("fd_renumber", call((g, a) -> g.renumber(i(a, 1), i(a, 2))));
    ours.put("path_open", call(GuestWasi::pathOpen));
    ours.put(
        "path_filestat_get",
        call((g, a) -> g.pathFilestatGet(m(a), i(a, 1), i(a, 2), str(a, 3), i(a, 5))));
    ours.put(
        "path_filestat_set_times",
        call((g, a) ->
            g.host(
                i(a, 1),
                c ->
                    g.chicory.pathFilestatSetTimes(
                        c, i(a, 2), str(a, 3), l(a, 5), l(a, 6), i(a, 7)),
                0)));
    ours.put(
        "path_create_directory",
        call((g, a) -> g.pathOp(i(a, 1), str(a, 2), GuestWasi.PathOp.MKDIR)));
    ours.put(
        "path_remove_directory",
        call((g, a) -> g.pathOp(i(a, 1), str(a, 2), GuestWasi.PathOp.RMDIR)));
    ours.put(
        "path_unlink_file", call((g, a) -> g.pathOp(i(a, 1), str(a, 2), GuestWasi.PathOp.UNLINK)));
    ours.put("path_rename", call((g, a) -> g.rename(i(a, 1), str(a, 2), i(a, 4), str(a, 5))));
    ours.put(
        "path_link",
        call((g, a) ->
            g.twoHost(
                i(a, 1),
                i(a, 5),
                (c1, c2) -> g.chicory.pathLink(c1, i(a, 2), str(a, 3), c2, str(a, 6)))));
    ours.put(
        "path_symlink",
        call((g, a) ->
            g.host(
                i(a, 3),
                c -> g.chicory.pathSymlink(str(a, 1), c, str(a, 4)),
                Errno.ENOTSUP.wasi())));
    ours.put(
        "path_readlink",
        call((g, a) ->
            g.host(
                i(a, 1),
                c -> g.chicory.pathReadlink(m(a), c, str(a, 2), i(a, 4), i(a, 5), i(a, 6)),
                Errno.EINVAL.wasi())));
    ours.put(
        "poll_oneoff", call((g, a) -> new Poll(g).poll(m(a), i(a, 1), i(a, 2), i(a, 3), i(a, 4))));
    ours.put("sock_accept", call((g, a) -> g.sockAccept(m(a), i(a, 1), i(a, 2), i(a, 3))));
    ours.put(
        "sock_recv",
        call((g, a) ->
            g.host(
                i(a, 1),
                c -> g.chicory.sockRecv(c, i(a, 2), i(a, 3), i(a, 4), i(a, 5), i(a, 6)),
                Errno.ENOTSUP.wasi())));
    ours.put(
        "sock_send",
        call((g, a) ->
            g.host(
                i(a, 1),
                c -> g.chicory.sockSend(c, i(a, 2), i(a, 3), i(a, 4), i(a, 5)),
                Errno.ENOTSUP.wasi())));
    ours.put(
        "sock_shutdown",
        call((g, a) ->
            g.host(i(a, 1), c -> g.chicory.sockShutdown(c, i(a, 2)), Errno.ENOTSUP.wasi())));

    // Chicory's list gives the names and signatures; a function it has and we lack is a bug.
    List<HostFunction> out = new ArrayList<>();
    try (var signatures = WasiPreview1.builder().withLogger(WasiLogger.QUIET).build()) {
      for (HostFunction f : signatures.toHostFunctions()) {
        var handle = ours.remove(f.name());
        if (handle == null) {
          throw new IllegalStateException("WASI function " + f.name() + " has no implementation");
        }
        out.add(new HostFunction(f.module(), f.name(), f.functionType(), handle));
      }
    }
    if (!ours.isEmpty()) {
      throw new IllegalStateException("WASI functions Chicory does not declare: " + ours.keySet());
    }
    return List.copyOf(out);
  }

  /** One WASI call's body: returns the errno (0 for success). */
  @FunctionalInterface
  interface Call {
    int apply(GuestWasi guest, Args a) throws WasiError, FsException;
  }

  record Args(Instance instance, long[] v) {}

  private static WasmFunctionHandle call(Call body) {
    return (instance, args) -> {
      GuestWasi guest = CURRENT.get();
      int result;
      try {
        result = body.apply(guest, new Args(instance, args));
      } catch (WasiError e) {
        result = e.code;
      } catch (FsException e) {
        guest.self.lastError(e.reason());
        result = e.errno().wasi();
      }
      return new long[] {result};
    };
  }

  static Memory m(Args a) {
    return a.instance().memory();
  }

  static int i(Args a, int n) {
    return (int) a.v()[n - 1];
  }

  static long l(Args a, int n) {
    return a.v()[n - 1];
  }

  /** The path at argument n (pointer) and n+1 (length); {@code EINVAL} if it is not UTF-8. */
  static String str(Args a, int n) throws FsException {
    return Paths.utf8(m(a).readBytes(i(a, n), i(a, n + 1)));
  }
}
