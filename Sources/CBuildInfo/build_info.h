#ifndef DJSEC_BUILD_INFO_H
#define DJSEC_BUILD_INFO_H
/* The commit djsec was built from, for `djsec --version`. `make` writes
   commit.h beside this file (git describe; not committed); a plain
   `swift build` says "unknown" rather than guess. Only the thin CLI imports
   this, so a new commit recompiles one file, not the library. */
#if __has_include("commit.h")
#include "commit.h"
#endif
#ifndef DJSEC_COMMIT
#define DJSEC_COMMIT "unknown"
#endif
static inline const char *djsec_build_commit(void) { return DJSEC_COMMIT; }
#endif
