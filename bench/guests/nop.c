// The smallest C guest: exits at once. scripts/bench-guests links it to a single 64 KiB page
// so spawn benchmarks measure process overhead, not memory allocation.
int main(void) { return 0; }
