#ifndef SGFILTER_SHIM_TYPES_H
#define SGFILTER_SHIM_TYPES_H
#include_next <linux/types.h>
#include "kshim.h"
#endif
