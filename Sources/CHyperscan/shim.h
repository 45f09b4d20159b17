#ifndef DJSEC_CHYPERSCAN_SHIM_H
#define DJSEC_CHYPERSCAN_SHIM_H
#include <hs/hs.h>
#endif
