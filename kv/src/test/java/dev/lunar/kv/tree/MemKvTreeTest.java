package dev.lunar.kv.tree;

import dev.lunar.kv.KvStore;
import dev.lunar.kv.MemKvStore;
import dev.lunar.kv.TestClock;

class MemKvTreeTest extends KvTreeContract {
  @Override
  KvStore open(TestClock clock) {
    return new MemKvStore(clock);
  }
}
