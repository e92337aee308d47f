package dev.lunar.runtime.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.fs.ByteBudget;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CappedOutputTest {
  private static byte[] kept(CappedOutput out) {
    return Arrays.copyOf(out.buffer(), out.size());
  }

  @Test
  void eachKeepsUpToItsLimitAndItsBufferCountsInTheSharedBudget() {
    var shared = new ByteBudget(10_000);
    var a = new CappedOutput(1000, shared);
    for (int i = 0; i < 120; i++) {
      a.write(new byte[] {(byte) i, 2, 3, 4, 5, 6, 7, 8, 9}, 0, 9);
    }
    assertTrue(a.over(), "past its own limit");
    assertFalse(a.full());
    assertEquals(1000, a.size());
    assertEquals(1000, a.buffer().length, "grown to the limit, not past it");
    assertEquals(1000, shared.held(), "what its buffer holds, written or not");
    assertEquals(99, a.buffer()[99 * 9], "in order");

    var b = new CappedOutput(1000, shared);
    b.write(new byte[300], 0, 300);
    assertEquals(b.buffer().length, shared.held() - 1000, "a growing buffer counts whole");
    assertTrue(b.buffer().length >= 300);
    a.release();
    b.release();
    assertEquals(0, shared.held());
  }

  @Test
  void anOutputThatWouldPassTheBudgetDropsAllItHoldsAtOnce() {
    var shared = new ByteBudget(600);
    var a = new CappedOutput(1000, shared);
    a.write(new byte[] {1, 2}, 0, 2);
    assertArrayEquals(new byte[] {1, 2}, kept(a));
    var b = new CappedOutput(1000, shared);
    b.write(new byte[300], 0, 300);
    assertEquals(556, shared.held());
    b.write(new byte[400], 0, 400); // its buffer would pass the budget
    assertTrue(b.full());
    assertEquals(256, shared.held(), "b gave back everything, at once; a keeps its buffer");
    assertEquals(0, b.size());
    b.write(new byte[] {4}, 0, 1);
    assertEquals(0, b.size(), "a response cut short stays cut");
    a.write(new byte[] {3}, 0, 1);
    assertArrayEquals(new byte[] {1, 2, 3}, kept(a), "the others go on");
    a.release();
    assertEquals(0, shared.held());
  }
}
