package dev.lunar.kv;

/** The contract, in memory. */
class MemKvStoreTest extends KvStoreContract {
  @Override
  protected KvStore open(TestClock clock) {
    return new MemKvStore(clock);
  }
}
