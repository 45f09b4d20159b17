// An LD_PRELOAD shim for djsec's crash tests (Tests/DjsecCLITests/CrashTests.swift
// compiles it with `cc -shared -fPIC` at test time; nothing ships it).
//
// It counts the calls that make a write visible or durable: rename, renameat,
// renameat2, link, linkat, fsync, fdatasync, and exclusive creates (open and
// openat with O_CREAT|O_EXCL, and the mkstemp family, whose own open glibc
// makes internally where no shim can see it). DJSEC_TEST_KILL_AT says what
// to do:
//
//   count          write "KIND COUNT" lines to the file DJSEC_TEST_KILL_COUNTS at exit
//   KIND:N         SIGKILL the process just before its N-th call of KIND
//   KIND:N:after   SIGKILL it just after that call returned (an exclusive create
//                  that made an empty file, before anything was written into it)
//   KIND:N:pause=MS  sleep MS milliseconds before that call, then make it (a
//                  window for another process to run in, for concurrency tests)
//   KIND:N:fail=ERRNO  make that call fail with ERRNO (ENOSPC, EIO or EACCES)
//                  without calling libc: a full disk at exactly that point
//
// N may also be @TEXT: the first call of a rename kind whose destination
// path contains TEXT (`rename:@local_settings.py:pause=1500`), whichever
// number it has in this djsec's version.
//
// KIND is one of the names in `kinds` below. Only a process whose executable
// is named `djsec` is affected: git and the other programs djsec starts
// inherit LD_PRELOAD and must run untouched.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum kind { RENAME, RENAMEAT, RENAMEAT2, LINK, LINKAT, FSYNC, FDATASYNC, OPEN, OPENAT, MKSTEMP, KINDS };
static const char *const kinds[KINDS] = {
  "rename", "renameat", "renameat2", "link", "linkat", "fsync", "fdatasync", "open", "openat", "mkstemp",
};

enum mode { OFF, COUNT, KILL };
static enum mode mode = OFF;
static int target = -1;
static long target_n = 0;
static int kill_after = 0;
static long pause_ms = 0;
static int fail_errno = 0;
static char target_path[PATH_MAX];
static long counts[KINDS];
static char count_file[PATH_MAX];

__attribute__((constructor)) static void setup(void) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return;
  exe[n] = 0;
  const char *base = strrchr(exe, '/');
  if (strcmp(base ? base + 1 : exe, "djsec") != 0) return;
  const char *spec = getenv("DJSEC_TEST_KILL_AT");
  if (!spec) return;
  if (strcmp(spec, "count") == 0) {
    const char *file = getenv("DJSEC_TEST_KILL_COUNTS");
    if (!file || strlen(file) >= sizeof count_file) return;
    strcpy(count_file, file);
    mode = COUNT;
    return;
  }
  const char *colon = strchr(spec, ':');
  if (!colon) return;
  for (int k = 0; k < KINDS; k++) {
    if (strlen(kinds[k]) == (size_t)(colon - spec) && strncmp(spec, kinds[k], colon - spec) == 0) target = k;
  }
  char *end = NULL;
  if (colon[1] == '@') {
    const char *text = colon + 2;
    const char *stop = strchr(text, ':');
    size_t len = stop ? (size_t)(stop - text) : strlen(text);
    if (len == 0 || len >= sizeof target_path) return;
    memcpy(target_path, text, len);
    target_path[len] = 0;
    target_n = 1;
    end = (char *)(text + len);
  } else {
    target_n = strtol(colon + 1, &end, 10);
  }
  kill_after = end && strcmp(end, ":after") == 0;
  if (end && strncmp(end, ":pause=", 7) == 0) pause_ms = strtol(end + 7, NULL, 10);
  if (end && strcmp(end, ":fail=ENOSPC") == 0) fail_errno = ENOSPC;
  if (end && strcmp(end, ":fail=EIO") == 0) fail_errno = EIO;
  if (end && strcmp(end, ":fail=EACCES") == 0) fail_errno = EACCES;
  if (target >= 0 && target_n > 0) mode = KILL;
}

__attribute__((destructor)) static void report(void) {
  if (mode != COUNT) return;
  mode = OFF;
  FILE *f = fopen(count_file, "w");
  if (!f) return;
  for (int k = 0; k < KINDS; k++) fprintf(f, "%s %ld\n", kinds[k], counts[k]);
  fclose(f);
}

// Counts one call of `k`; on the chosen one kills the process first, or
// pauses, or says to fail. Returns 1 when the process must die right after
// the call instead, FAIL when the call must fail with `fail_errno`.
#define FAIL 2
static long path_hits = 0;
static int before_path(enum kind k, const char *to) {
  if (mode == OFF) return 0;
  long n = __atomic_add_fetch(&counts[k], 1, __ATOMIC_SEQ_CST);
  if (mode != KILL || (int)k != target) return 0;
  if (target_path[0]) {
    if (!to || !strstr(to, target_path)) return 0;
    n = __atomic_add_fetch(&path_hits, 1, __ATOMIC_SEQ_CST);
  }
  if (n != target_n) return 0;
  if (pause_ms > 0) {
    usleep((useconds_t)pause_ms * 1000);
    return 0;
  }
  if (fail_errno) return FAIL;
  if (!kill_after) kill(getpid(), SIGKILL);
  return 1;
}

static int before(enum kind k) { return before_path(k, NULL); }

// A chosen call that must fail does so without reaching libc.
#define FAIL_IF(chosen) \
  if ((chosen) == FAIL) { \
    errno = fail_errno; \
    return -1; \
  }

static void after(int chosen) {
  if (chosen) kill(getpid(), SIGKILL);
}

static int exclusive(int flags) { return (flags & O_CREAT) && (flags & O_EXCL); }

// The libc function this one stands in for.
#define REAL(fn) \
  static __typeof__(&fn) real = NULL; \
  if (!real) real = (__typeof__(&fn))dlsym(RTLD_NEXT, #fn)

int rename(const char *from, const char *to) {
  REAL(rename);
  int chosen = before_path(RENAME, to);
  FAIL_IF(chosen)
  int r = real(from, to);
  after(chosen);
  return r;
}

int renameat(int fromdir, const char *from, int todir, const char *to) {
  REAL(renameat);
  int chosen = before_path(RENAMEAT, to);
  FAIL_IF(chosen)
  int r = real(fromdir, from, todir, to);
  after(chosen);
  return r;
}

int renameat2(int fromdir, const char *from, int todir, const char *to, unsigned int flags) {
  REAL(renameat2);
  int chosen = before_path(RENAMEAT2, to);
  FAIL_IF(chosen)
  int r = real(fromdir, from, todir, to, flags);
  after(chosen);
  return r;
}

int link(const char *from, const char *to) {
  REAL(link);
  int chosen = before_path(LINK, to);
  FAIL_IF(chosen)
  int r = real(from, to);
  after(chosen);
  return r;
}

int linkat(int fromdir, const char *from, int todir, const char *to, int flags) {
  REAL(linkat);
  int chosen = before_path(LINKAT, to);
  FAIL_IF(chosen)
  int r = real(fromdir, from, todir, to, flags);
  after(chosen);
  return r;
}

int fsync(int fd) {
  REAL(fsync);
  int chosen = before(FSYNC);
  FAIL_IF(chosen)
  int r = real(fd);
  after(chosen);
  return r;
}

int fdatasync(int fd) {
  REAL(fdatasync);
  int chosen = before(FDATASYNC);
  FAIL_IF(chosen)
  int r = real(fd);
  after(chosen);
  return r;
}

// open and openat take a mode only with O_CREAT or O_TMPFILE; passing one
// always is what glibc's own wrappers do.
#define OPEN_LIKE(fn, kind_) \
  REAL(fn); \
  va_list ap; \
  va_start(ap, flags); \
  mode_t m = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0; \
  va_end(ap); \
  int chosen = exclusive(flags) ? before(kind_) : 0; \
  FAIL_IF(chosen)

int open(const char *path, int flags, ...) {
  OPEN_LIKE(open, OPEN)
  int r = real(path, flags, m);
  after(chosen);
  return r;
}

int open64(const char *path, int flags, ...) {
  OPEN_LIKE(open64, OPEN)
  int r = real(path, flags, m);
  after(chosen);
  return r;
}

int openat(int dir, const char *path, int flags, ...) {
  OPEN_LIKE(openat, OPENAT)
  int r = real(dir, path, flags, m);
  after(chosen);
  return r;
}

int openat64(int dir, const char *path, int flags, ...) {
  OPEN_LIKE(openat64, OPENAT)
  int r = real(dir, path, flags, m);
  after(chosen);
  return r;
}

int mkstemp(char *template) {
  REAL(mkstemp);
  int chosen = before(MKSTEMP);
  FAIL_IF(chosen)
  int r = real(template);
  after(chosen);
  return r;
}

int mkostemp(char *template, int flags) {
  REAL(mkostemp);
  int chosen = before(MKSTEMP);
  FAIL_IF(chosen)
  int r = real(template, flags);
  after(chosen);
  return r;
}

int mkstemps(char *template, int suffixlen) {
  REAL(mkstemps);
  int chosen = before(MKSTEMP);
  FAIL_IF(chosen)
  int r = real(template, suffixlen);
  after(chosen);
  return r;
}

int mkostemps(char *template, int suffixlen, int flags) {
  REAL(mkostemps);
  int chosen = before(MKSTEMP);
  FAIL_IF(chosen)
  int r = real(template, suffixlen, flags);
  after(chosen);
  return r;
}
