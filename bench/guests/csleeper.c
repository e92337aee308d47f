// Sleeps an hour: an idle C process, with wasi-libc's start-up (argv, environ, preopens, stdio)
// behind it, in one 64 KiB page. The C twin of sleeper.wat for the idle-memory benchmark.
#include <unistd.h>

int main(void) {
  sleep(3600);
  return 0;
}
