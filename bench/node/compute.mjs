// The V8 peer of the compute benchmarks, for scripts/bench: runs WASI command modules under
// Node's node:wasi and prints "compute.NAME.v8 MS ms" per timed run.
//   node compute.mjs WARMUP ROUNDS NAME=FILE.wasm:ARG...
// Each module is compiled once; every run then instantiates it with a fresh WASI (a WASI
// instance starts only once) and runs _start, and that is what is timed, as Lunar times spawn to
// exit. Warm-up runs come first, untimed, so V8's optimizing tier has replaced its baseline code.
// The guest's output goes to /dev/null, as under Lunar and natively.
import { openSync, readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [warmup, rounds] = process.argv.slice(2, 4).map(Number);
const guests = process.argv.slice(4).map((spec) => {
  const [, name, file, arg] = spec.match(/^([^=]+)=(.+):([^:]*)$/);
  return { name, arg, module: new WebAssembly.Module(readFileSync(file)) };
});
const devnull = openSync('/dev/null', 'w');

function run({ name, arg, module }) {
  const wasi = new WASI({
    version: 'preview1',
    args: [name, arg],
    env: {},
    stdout: devnull,
    returnOnExit: true,
  });
  const start = process.hrtime.bigint();
  const instance = new WebAssembly.Instance(module, wasi.getImportObject());
  const code = wasi.start(instance);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (code !== 0) throw new Error(`${name} ${arg} exited with ${code}`);
  return ms;
}

for (const guest of guests) {
  for (let i = 0; i < warmup; i++) run(guest);
}
for (let r = 0; r < rounds; r++) {
  for (const guest of guests) {
    console.log(`compute.${guest.name}.v8 ${run(guest).toFixed(3)} ms`);
  }
}
