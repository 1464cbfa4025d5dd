#ifndef TINSENSE_CZSTD_SHIM_H
#define TINSENSE_CZSTD_SHIM_H
#include <zstd.h>
#endif
