package dev.lunar.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KvNamesTest {
  @Test
  void compareIsUtf8ByteOrder() {
    Random random = new Random(3);
    List<String> pool = List.of("a", "z", "é", "\uE000", "\uFFFF", "😀", "𝄞", "\u0001", "~");
    for (int i = 0; i < 10_000; i++) {
      String x = pick(pool, random);
      String y = pick(pool, random);
      int bytes =
          Integer.signum(
              Arrays.compareUnsigned(
                  x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
      assertEquals(bytes, Integer.signum(KvNames.compare(x, y)), x + " vs " + y);
    }
  }

  @Test
  void reasonsShowControlCharactersEscaped() {
    assertEquals("'a\\u000ab'", KvNames.printable("a\nb"));
    assertTrue(KvNames.printable("x".repeat(500)).endsWith("...'"));
  }

  private static String pick(List<String> pool, Random random) {
    StringBuilder s = new StringBuilder();
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      s.append(pool.get(random.nextInt(pool.size())));
    }
    return s.toString();
  }
}
