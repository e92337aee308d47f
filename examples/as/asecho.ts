// asecho: an echo server and its client, in AssemblyScript, with no Lunar SDK.
//
// Everything Lunar offers is a file (docs/PROTOCOL.md), so plain WASI preview1 calls are all a
// guest needs: the bindings come with @assemblyscript/wasi-shim, which also gives `process` over
// WASI.
//
//   asecho          spawns `asecho serve` (linked), sends it three messages, prints the three
//                   replies one per line, sends `stop`, exits 0
//   asecho serve    replies to each message's sender with `echo: <body>`; ends on `stop`
import {
  errno,
  errnoToString,
  fd,
  fd_close,
  fd_prestat_dir_name,
  fd_prestat_get,
  fd_read,
  fd_write,
  path_open,
  preopentype,
  prestat,
  prestat_dir,
  rights,
} from "bindings/wasi_snapshot_preview1";

// The name this module is deployed under in /bin: the client spawns another copy of itself.
const SELF_MODULE = "asecho";

// Room for one iovec (buf, len) and one result word, reused by every WASI call below: the
// program is single-threaded and no call keeps the pointer.
const scratch = memory.data(3 * sizeof<usize>());

const NO_FD: fd = -1;
// The preopened /proc, once found: every path below is opened relative to it.
let procDir: fd = NO_FD;

function main(): void {
  procDir = preopen("/proc");
  const args = process.argv;
  if (args.length > 1 && args[1] == "serve") serve(procDir);
  else client(procDir);
}

// --- the server -----------------------------------------------------------------------------

function serve(proc: fd): void {
  const mailbox = open(proc, "self/mailbox", rights.FD_READ);
  while (true) {
    const msg = receive(mailbox);
    if (msg.body == "stop") break;
    // Pid 0 is the host or the node's own notices: there is no mailbox to answer.
    if (msg.from == "0") continue;
    send(proc, msg.from, "echo: " + msg.body);
  }
  fd_close(mailbox);
}

// --- the client -----------------------------------------------------------------------------

function client(proc: fd): void {
  const pid = spawn(proc, "--link " + SELF_MODULE + " serve");

  // Opened once for all four sends; each write is one message.
  const server = open(proc, pid + "/mailbox", rights.FD_WRITE);
  const words = ["one", "two", "three"];
  for (let i = 0; i < words.length; i++) writeAll(server, words[i], "send");

  const mailbox = open(proc, "self/mailbox", rights.FD_READ);
  // One write per line: children share their parent's stdout, and console.log writes the text
  // and its newline separately.
  for (let i = 0; i < words.length; i++) process.stdout.write(receive(mailbox).body + "\n");
  fd_close(mailbox);

  writeAll(server, "stop", "send");
  fd_close(server);
}

/** Writes a spawn line to /proc/new and reads the new pid back from the same descriptor. */
function spawn(proc: fd, line: string): string {
  const file = open(proc, "new", rights.FD_READ | rights.FD_WRITE);
  writeAll(file, line, "spawn '" + line + "'");
  const pid = readString(file, 32).trim();
  fd_close(file);
  return pid;
}

// --- messages -------------------------------------------------------------------------------

class Message {
  constructor(public from: string, public tag: string, public body: string) {}
}

/**
 * Receives one message from an open mailbox. A read returns `<from> <tag> <size>\n<body>` and
 * at most one message; if the buffer is too short, the next reads continue the same message, so
 * read until the header's size is reached.
 */
function receive(mailbox: fd): Message {
  let buf = new Uint8Array(4096);
  let have = readInto(mailbox, buf, 0, "receive");
  let nl = buf.indexOf(0x0a);
  // The header is short (pid, tag of at most 64 characters, size), but a read may still stop
  // early: keep reading until the newline is in.
  while (nl < 0 || nl >= have) {
    have += readInto(mailbox, buf, have, "receive");
    nl = buf.indexOf(0x0a);
  }
  const header = String.UTF8.decodeUnsafe(buf.dataStart, nl).split(" ");
  if (header.length != 3) die("asecho: receive: bad header");
  const size = I32.parseInt(header[2]);
  const total = nl + 1 + size;
  if (total > buf.length) {
    const bigger = new Uint8Array(total);
    bigger.set(buf.subarray(0, have));
    buf = bigger;
  }
  while (have < total) have += readInto(mailbox, buf, have, "receive");
  const body = String.UTF8.decodeUnsafe(buf.dataStart + nl + 1, size);
  return new Message(header[0], header[1], body);
}

/** Sends one message: a single write to /proc/<pid>/mailbox is one message. */
function send(proc: fd, pid: string, body: string): void {
  const file = open(proc, pid + "/mailbox", rights.FD_WRITE);
  writeAll(file, body, "send to " + pid);
  fd_close(file);
}

// --- WASI, thinly wrapped -------------------------------------------------------------------

/**
 * Finds a preopened directory by name. Preopens start at fd 3 (host `--dir`s first, then the
 * tree's `/bin`, `/names`, `/proc`); fd_prestat_get fails (EBADF) past the last one.
 */
function preopen(name: string): fd {
  for (let dir: fd = 3; ; dir++) {
    // prestat is a tagged union; for a directory (the only kind) it holds the name's length.
    if (fd_prestat_get(dir, changetype<prestat>(scratch)) != errno.SUCCESS) break;
    const info = changetype<prestat_dir>(scratch);
    if (info.type != preopentype.DIR) continue;
    const len = info.name_len;
    const buf = new ArrayBuffer(<i32>len);
    if (fd_prestat_dir_name(dir, changetype<usize>(buf), len) != errno.SUCCESS) continue;
    if (String.UTF8.decode(buf) == name) return dir;
  }
  die("asecho: " + name + " is not preopened (not granted?)");
  return NO_FD;
}

/** path_open relative to a preopen, with no oflags: the files already exist. */
function open(dir: fd, path: string, wanted: rights): fd {
  const bytes = String.UTF8.encode(path);
  const err = path_open(
    dir,
    0, // lookupflags: no symlinks in the tree
    changetype<usize>(bytes),
    bytes.byteLength,
    0, // oflags
    wanted,
    0, // inheriting rights: nothing is opened through these fds
    0, // fdflags: blocking, so a read with no message parks the process
    scratch,
  );
  if (err != errno.SUCCESS) fail("open " + path, err);
  return load<u32>(scratch);
}

/** One fd_write of the whole string: the tree takes one write as one message or one line. */
function writeAll(file: fd, text: string, what: string): void {
  const bytes = String.UTF8.encode(text);
  store<usize>(scratch, changetype<usize>(bytes));
  store<usize>(scratch, bytes.byteLength, sizeof<usize>());
  const err = fd_write(file, scratch, 1, scratch + 2 * sizeof<usize>());
  if (err != errno.SUCCESS) fail(what, err, file);
}

/** One fd_read into buf from offset on; returns the byte count, or -errno. */
function tryRead(file: fd, buf: Uint8Array, offset: i32): i32 {
  store<usize>(scratch, buf.dataStart + offset);
  store<usize>(scratch, buf.length - offset, sizeof<usize>());
  const err = fd_read(file, scratch, 1, scratch + 2 * sizeof<usize>());
  return err != errno.SUCCESS ? -err : <i32>load<usize>(scratch, 2 * sizeof<usize>());
}

/** tryRead, but end the program on an error or an end of file. */
function readInto(file: fd, buf: Uint8Array, offset: i32, what: string): i32 {
  const n = tryRead(file, buf, offset);
  if (n < 0) fail(what, <errno>-n);
  if (n == 0) die("asecho: " + what + ": unexpected end of file");
  return n;
}

function readString(file: fd, max: i32): string {
  const buf = new Uint8Array(max);
  const n = readInto(file, buf, 0, "read");
  return String.UTF8.decodeUnsafe(buf.dataStart, n);
}

/** Prints a failed call's errno and the tree's reason for it, and exits 1. */
function fail(what: string, err: errno, file: fd = NO_FD): void {
  let line = "asecho: " + what + ": E" + errnoToString(err); // NOENT -> ENOENT
  const why = reason(file);
  if (why.length) line += ": " + why;
  die(line);
}

/**
 * The tree's reason for the last failure: a failed write to /proc/new (or a ctl file) gives it
 * on a read of the same descriptor, any failed call in /proc/self/errstr. "" if there is none.
 */
function reason(file: fd): string {
  const buf = new Uint8Array(256);
  let n = file != NO_FD ? tryRead(file, buf, 0) : -1;
  if (n <= 0 && procDir != NO_FD) {
    const path = String.UTF8.encode("self/errstr");
    const p = changetype<usize>(path);
    const err = path_open(procDir, 0, p, path.byteLength, 0, rights.FD_READ, 0, 0, scratch);
    if (err == errno.SUCCESS) n = tryRead(load<u32>(scratch), buf, 0);
  }
  return n > 0 ? String.UTF8.decodeUnsafe(buf.dataStart, n).trim() : "";
}

function die(line: string): void {
  // Not console.error: the shim's writes to stdout, prefixed "Error: ".
  process.stderr.write(line + "\n");
  process.exit(1);
}

main();
