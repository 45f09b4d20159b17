#ifndef DJSEC_CPCRE2_SHIM_H
#define DJSEC_CPCRE2_SHIM_H
/* PCRE2's generic names are macros over the code-unit width: fix it at 8 bits
   here so Swift sees the _8 functions only. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
