#ifndef DJSEC_CSODIUM_SHIM_H
#define DJSEC_CSODIUM_SHIM_H
#include <sodium.h>
#endif
