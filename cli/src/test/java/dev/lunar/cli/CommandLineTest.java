package dev.lunar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line itself: client commands without a node, man pages, completion, quoting. */
class CommandLineTest {
  @TempDir Path tmp;

  private String stdout;
  private String stderr;

  private int lunar(Map<String, String> env, String... args) {
    Run run = Run.of("", env, args);
    stdout = run.out();
    stderr = run.err();
    return run.code();
  }

  @Test
  void clientCommandsWithoutAMountSaySoAndExit69() {
    for (String[] args :
        List.of(
            new String[] {"ps"},
            new String[] {"kill", "3"},
            new String[] {"send", "3", "hi"},
            new String[] {"kv", "ls"},
            new String[] {"spawn", "--link", "hello"})) {
      assertEquals(69, lunar(Map.of(), args), String.join(" ", args));
      assertTrue(stderr.contains("no mount given"), stderr);
    }
    assertEquals(69, lunar(Map.of("LUNAR_MOUNT", tmp.toString()), "ps"));
    assertTrue(stderr.contains("is not a live Lunar mount"), stderr);
  }

  @Test
  void badUsageIsOneLineAndExit2BeforeTheMountIsLookedFor() {
    for (String[] args :
        List.of(
            new String[] {"top", "-n", "0"},
            new String[] {"top", "--iterations", "-3"},
            new String[] {"top", "-d", "-1"},
            new String[] {"top", "-d", "0"},
            new String[] {"top", "--interval", "NaN"},
            new String[] {"top", "-d", "Infinity"},
            new String[] {"top", "--lines", "0"},
            new String[] {"kill", "3", "a\nlink 99999"},
            new String[] {"kill", "3", "fine", "not\u0000fine"},
            new String[] {"send", "3", "--verbose"})) {
      String line = String.join(" ", args);
      assertEquals(2, lunar(Map.of(), args), line + ": " + stderr);
      assertEquals(1, stderr.lines().count(), line + ": " + stderr);
      assertTrue(stderr.startsWith("lunar " + args[0] + ": "), line + ": " + stderr);
      assertEquals("", stdout, line);
    }
    assertEquals(2, lunar(Map.of(), "top", "-d", "-1"));
    assertEquals(
        "lunar top: --interval must be a number of seconds above 0, not '-1' (see lunar top"
            + " --help)\n",
        stderr);
    assertEquals(2, lunar(Map.of(), "top", "-n", "0"));
    assertEquals(
        "lunar top: --iterations must be at least 1, not 0 (see lunar top --help)\n", stderr);
  }

  @Test
  void anArgumentThatWasNotUtf8IsRefusedNotPassedOnAltered() {
    // The JVM decodes argv bytes that are not UTF-8 (here \xff) to U+FFFD.
    assertEquals(2, lunar(Map.of(), "run", "hello", "x\uFFFDy"));
    assertEquals("lunar: argument 3 is not valid UTF-8\n", stderr);
    assertEquals("", stdout);
  }

  @Test
  void spawnLinesQuoteWordsWithSpaces() {
    assertEquals(
        "--link echo \"two words\" \"a \\\"q\\\"\" \"\"",
        SpawnCommand.line(List.of("--link", "echo", "two words", "a \"q\"", "")));
  }

  @Test
  void manPagesForEveryCommand() throws Exception {
    assertEquals(0, lunar(Map.of(), "man", "--dir", tmp.toString()));
    for (String page : List.of("lunar", "lunar-run", "lunar-spawn", "lunar-kv-put", "lunar-top")) {
      Path file = tmp.resolve(page + ".1");
      assertTrue(Files.exists(file), page);
      String text = Files.readString(file);
      assertTrue(text.startsWith(".TH " + page.toUpperCase() + " 1"), text);
    }
    String top = Files.readString(tmp.resolve("lunar-top.1"));
    assertTrue(top.contains("--interval") && top.contains(".SH EXIT STATUS"), top);
    assertTrue(top.contains("lunar-top \\- Show the processes"), top);
  }

  @Test
  void bashCompletionKnowsTheSubcommands() {
    assertEquals(0, lunar(Map.of(), "generate-completion"));
    assertTrue(stdout.contains("complete -F"), stdout.substring(0, 200));
    for (String sub : List.of("run", "ps", "spawn", "send", "kill", "kv", "top")) {
      assertTrue(stdout.contains(sub), sub);
    }
  }
}
