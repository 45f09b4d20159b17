#ifndef DJSEC_CLIBC_SHIM_H
#define DJSEC_CLIBC_SHIM_H
/* The C library's own extensions that Swift's Glibc module leaves out. */
#if defined(__linux__)
#include <malloc.h>

/* Large buffers (a megabyte or more) mapped on their own and unmapped when
   freed, with glibc's sliding threshold fixed there (mallopt's
   M_MMAP_THRESHOLD). Returns 1 on success, as mallopt does. */
static inline int djsec_map_large_buffers(int threshold) {
  return mallopt(M_MMAP_THRESHOLD, threshold);
}
#endif
#endif
