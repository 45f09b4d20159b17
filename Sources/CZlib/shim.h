#ifndef DJSEC_CZLIB_SHIM_H
#define DJSEC_CZLIB_SHIM_H
#include <zlib.h>
/* inflateInit2 is a macro, which Swift cannot call: wrap it. Raw deflate
   (no zlib header) is what zip archives hold. */
static inline int djsec_inflate_init_raw(z_stream *stream) {
  return inflateInit2(stream, -15);
}
/* The zlib format (with its header and checksum): git's objects. */
static inline int djsec_inflate_init(z_stream *stream) {
  return inflateInit(stream);
}
#endif
