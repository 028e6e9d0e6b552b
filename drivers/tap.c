/* SPDX-License-Identifier: BSD-3-Clause */
#include "driver.h"

/* A kernel TAP device created by the PMD. */
PORT_DRIVER(tap, "net_tap", NULL, {"iface", "iface", DRIVER_STRING, false},
	{"persist", "persist", DRIVER_BOOL, false})
