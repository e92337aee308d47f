package dev.lunar.runtime.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.fs.ByteBudget;
import org.junit.jupiter.api.Test;

class CappedOutputTest {
  @Test
  void eachKeepsUpToItsLimitAndAllTogetherUpToTheSharedBudget() {
    var shared = new ByteBudget(10);
    var a = new CappedOutput(8, shared);
    a.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 0, 9);
    assertTrue(a.over(), "past its own limit");
    assertFalse(a.full());
    assertEquals(8, shared.held());

    var b = new CappedOutput(8, shared);
    b.write(new byte[] {1, 2}, 0, 2); // exactly the budget
    b.write(new byte[] {3}, 0, 1);
    assertTrue(b.full(), "past the shared budget");
    assertArrayEquals(new byte[] {1, 2}, b.toByteArray());
    assertEquals(10, shared.held());

    a.release();
    b.release();
    assertEquals(0, shared.held());
    b.write(new byte[] {4}, 0, 1);
    assertEquals(2, b.size(), "a response cut short stays cut");
    var c = new CappedOutput(8, shared);
    c.write(new byte[] {5, 6, 7}, 0, 3);
    assertFalse(c.full());
    assertEquals(3, shared.held());
  }
}
