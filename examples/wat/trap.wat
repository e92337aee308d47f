;; Traps at once on `unreachable`: shows how Lunar reports a crashed process.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    unreachable))
