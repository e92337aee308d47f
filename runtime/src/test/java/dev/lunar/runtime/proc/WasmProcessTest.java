package dev.lunar.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleException;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.TestModules;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real wasm guests as processes: limits, kills, isolation and many idle processes. */
@Timeout(120)
class WasmProcessTest {
  /** Sleeps an hour in poll_oneoff: an idle process with a single page of memory. */
  static final String SLEEPER =
      """
      (module
        (import "wasi_snapshot_preview1" "poll_oneoff"
          (func $poll (param i32 i32 i32 i32) (result i32)))
        (memory 1 1)
        (func (export "_start")
          (i32.store8 (i32.const 8) (i32.const 0))
          (i32.store (i32.const 16) (i32.const 1))
          (i64.store (i32.const 24) (i64.const 3600000000000))
          (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
      """;

  private final Node node = new Node(NodeConfig.defaults());
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @AfterEach
  void close() {
    node.close();
  }

  private LoadedModule load(String example, boolean interpret) throws ModuleException {
    return ModuleLoader.inMemory(interpret).load(example, TestModules.example(example));
  }

  private GuestSpec spec(String... args) {
    return TestModules.spec(out, args);
  }

  @Test
  void mallocFailsCleanlyAtTheMemoryLimit() throws Exception {
    var small =
        node.spawn(load("alloc", false), spec(), SpawnOptions.DEFAULT.withMaxMemory(4 << 20));
    assertEquals(ExitReason.NORMAL, small.awaitExit());
    var m = Pattern.compile("allocated (\\d+) MiB").matcher(out.toString());
    assertTrue(m.find(), out.toString());
    int mib = Integer.parseInt(m.group(1));
    assertTrue(mib >= 1 && mib < 4, "got " + mib + " MiB under a 4 MiB limit");
    assertTrue(small.memory() <= 4 << 20);
  }

  @Test
  void memoryBombHurtsNoOtherProcess() throws Exception {
    var sleeper = node.spawn(load("sleep", false), spec("300"), SpawnOptions.DEFAULT);
    var bomb = node.spawn(load("alloc", false), spec(), SpawnOptions.DEFAULT);
    assertEquals(ExitReason.NORMAL, bomb.awaitExit());
    assertEquals(ExitReason.NORMAL, sleeper.awaitExit());
    assertTrue(out.toString().contains("slept 300 ms"), out.toString());
  }

  @Test
  void moduleLargerThanItsLimitDoesNotStart() throws Exception {
    byte[] big = TestModules.wat("(module (memory 100) (func (export \"_start\")))");
    var module = ModuleLoader.inMemory(false).load("big", big);
    var e =
        assertThrows(
            ModuleException.class,
            () -> node.spawn(module, spec(), SpawnOptions.DEFAULT.withMaxMemory(1 << 20)));
    assertTrue(e.getMessage().contains("over the limit"), e.getMessage());
    assertEquals(0, node.count());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void killEndsAComputingProcess(boolean interpret) throws Exception {
    var spinner = node.spawn(load("spin", interpret), spec(), SpawnOptions.DEFAULT);
    Thread.sleep(100);
    assertEquals(null, spinner.exitReason());
    node.kill(spinner.pid(), ExitReason.KILLED);
    assertEquals(ExitReason.KILLED, spinner.awaitExit(10, TimeUnit.SECONDS));
  }

  @Test
  void killEndsASleepingProcess() throws Exception {
    var sleeper = node.spawn(load("sleep", false), spec("600000"), SpawnOptions.DEFAULT);
    NodeTest.awaitState(sleeper, ProcState.WAITING);
    node.kill(sleeper.pid(), ExitReason.KILLED);
    assertEquals(ExitReason.KILLED, sleeper.awaitExit(10, TimeUnit.SECONDS));
  }

  @Test
  void trapEndsOnlyThatProcess() throws Exception {
    var sleeper = node.spawn(load("sleep", false), spec("200"), SpawnOptions.DEFAULT);
    var trap = node.spawn(load("trap", false), spec(), SpawnOptions.DEFAULT);
    assertTrue(trap.awaitExit().text().startsWith("trap: "));
    assertEquals(ExitReason.NORMAL, sleeper.awaitExit());
  }

  @Test
  void linkedPairDiesTogether() throws Exception {
    var sleeper = node.spawn(load("sleep", false), spec("600000"), SpawnOptions.DEFAULT);
    var trap =
        node.spawn(
            load("trap", false),
            spec(),
            SpawnOptions.DEFAULT.withParent(sleeper.pid()).withLink(true));
    ExitReason crash = trap.awaitExit();
    assertEquals(
        "linked " + trap.pid() + ": " + crash.text(),
        sleeper.awaitExit(10, TimeUnit.SECONDS).text());
  }

  @Test
  void trapExitPairSurvives() throws Exception {
    var notice = new java.util.concurrent.atomic.AtomicReference<Message>();
    var trapper =
        node.spawn(
            "trapper",
            self -> {
              notice.set(self.receive(Message.EXIT, -1));
              self.receive("end", -1);
            },
            SpawnOptions.DEFAULT.withTrapExits(true));
    var trap =
        node.spawn(
            load("trap", false),
            spec(),
            SpawnOptions.DEFAULT.withParent(trapper.pid()).withLink(true));
    ExitReason crash = trap.awaitExit();
    node.send(trapper.pid(), new Message(0, "end", new byte[0]));
    assertEquals(ExitReason.NORMAL, trapper.awaitExit(10, TimeUnit.SECONDS));
    assertEquals(trap.pid() + " " + crash.text(), notice.get().text());
  }

  @Test
  void supervisorRestartsACrashingWasmChildThenGivesUp() throws Exception {
    var module = load("trap", false);
    var starts = new java.util.concurrent.atomic.AtomicInteger();
    var sup =
        Supervisor.of(
            new SupervisorSpec(
                SupervisorSpec.Strategy.ONE_FOR_ONE,
                3,
                java.time.Duration.ofSeconds(60),
                List.of(
                    new ChildSpec(
                        "crasher",
                        ChildSpec.Restart.PERMANENT,
                        (n, options) -> {
                          starts.incrementAndGet();
                          return n.spawn(module, spec(), options);
                        }))));
    Proc supervisor = sup.start(node, SpawnOptions.DEFAULT);
    assertEquals(Supervisor.GAVE_UP, supervisor.awaitExit(30, TimeUnit.SECONDS));
    assertEquals(4, starts.get(), "the first start and three restarts within the limit");
  }

  @Test
  void tenThousandIdleProcesses() throws Exception {
    var module = ModuleLoader.inMemory(false).load("sleeper", TestModules.wat(SLEEPER));
    List<Proc> procs = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      procs.add(node.spawn(module, spec(), SpawnOptions.DEFAULT));
    }
    assertEquals(10_000, node.count());
    for (Proc p : procs) {
      NodeTest.awaitState(p, ProcState.WAITING);
    }
    assertEquals(65536, procs.get(0).memory());
    for (Proc p : procs) {
      node.kill(p.pid(), ExitReason.KILLED);
    }
    for (Proc p : procs) {
      assertEquals(ExitReason.KILLED, p.awaitExit(30, TimeUnit.SECONDS));
    }
    assertEquals(0, node.count());
  }
}
