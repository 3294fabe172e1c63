// LD_PRELOAD shim for the benchmark's PostgreSQL: every fsync() and fdatasync() first sleeps
// LF_FLUSH_DELAY_US microseconds, then flushes for real. It stands in for a disk whose durable
// flush is slower than this machine's (network block storage takes 0.5-2 ms, a spinning disk
// 5-10 ms), so the benchmark can show how the ratio moves when commits, not CPU, set the
// ceiling. Built and used only by bench/command_path.sh when BENCH_FLUSH_DELAY_US is set;
// never part of the product.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static long delay_ns(void) {
  static long ns = -1;
  if (ns < 0) {
    const char* text = getenv("LF_FLUSH_DELAY_US");
    ns = text != NULL ? atol(text) * 1000L : 0;
  }
  return ns;
}

static void wait_like_a_slow_disk(void) {
  const long ns = delay_ns();
  if (ns > 0) {
    struct timespec t = {ns / 1000000000L, ns % 1000000000L};
    while (nanosleep(&t, &t) != 0) {
    }
  }
}

typedef int (*flush_fn)(int);

// Waits, then calls the real function `name` (looked up once into *real).
static int flush_after_delay(flush_fn* real, const char* name, int fd) {
  if (*real == NULL) {
    *real = (flush_fn)dlsym(RTLD_NEXT, name);
  }
  wait_like_a_slow_disk();
  return (*real)(fd);
}

int fdatasync(int fd) {
  static flush_fn real = NULL;
  return flush_after_delay(&real, "fdatasync", fd);
}

int fsync(int fd) {
  static flush_fn real = NULL;
  return flush_after_delay(&real, "fsync", fd);
}
