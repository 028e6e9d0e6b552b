/* SPDX-License-Identifier: BSD-3-Clause */
#include "driver.h"

/* Shared-memory packet interface to another process (testpmd, VPP, a container). */
PORT_DRIVER(memif, "net_memif", NULL, {"role", "role", DRIVER_STRING, false},
	{"socket", "socket", DRIVER_PATH, false}, {"id", "id", DRIVER_UINT, false},
	{"ring_size", "rsize", DRIVER_UINT, false}, {"zero_copy", "zero-copy", DRIVER_BOOL, false})
