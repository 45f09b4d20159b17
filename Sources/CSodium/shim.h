#ifndef DJSEC_CSODIUM_SHIM_H
#define DJSEC_CSODIUM_SHIM_H
#include <sodium.h>

#if defined(__linux__)
#include <sys/prctl.h>
#include <sys/resource.h>

/* Keeps a process holding secrets out of core files: no core at all
   (RLIMIT_CORE 0, soft and hard) and not dumpable, which also keeps other
   processes of the same user from attaching to it or reading its memory.
   Here because prctl is variadic, which Swift cannot call.
   Returns 0, or -1 when setrlimit failed, -2 when prctl failed. */
static inline int djsec_forbid_core_dumps(void) {
  struct rlimit none = {0, 0};
  if (setrlimit(RLIMIT_CORE, &none) != 0) return -1;
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return -2;
  return 0;
}
#endif
#endif
