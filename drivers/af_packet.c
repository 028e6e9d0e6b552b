/* SPDX-License-Identifier: BSD-3-Clause */
#include "driver.h"

/* A Linux netdev through PACKET_MMAP sockets; queues fan out by flow hash (PACKET_FANOUT). */
PORT_DRIVER(af_packet, "net_af_packet", "qpairs", {"iface", "iface", DRIVER_STRING, true},
	{"blocksz", "blocksz", DRIVER_UINT, false}, {"framesz", "framesz", DRIVER_UINT, false},
	{"framecnt", "framecnt", DRIVER_UINT, false},
	{"qdisc_bypass", "qdisc_bypass", DRIVER_BOOL, false})
