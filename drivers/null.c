/* SPDX-License-Identifier: BSD-3-Clause */
#include "driver.h"

/* Receives nothing unless asked to, swallows whatever it is given: a sink for benchmarks. */
PORT_DRIVER(null, "net_null", NULL, {"size", "size", DRIVER_UINT, false},
	{"copy", "copy", DRIVER_BOOL, false}, {"no_rx", "no-rx", DRIVER_BOOL, false})
