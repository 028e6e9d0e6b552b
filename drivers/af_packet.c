/* SPDX-License-Identifier: BSD-3-Clause */
#include "driver.h"

/* A Linux netdev through PACKET_MMAP sockets; queues fan out by flow hash (PACKET_FANOUT). */
static const struct port_driver_key af_packet_keys[] = {
	{"iface", "iface", DRIVER_STRING, true},
	{"blocksz", "blocksz", DRIVER_UINT, false},
	{"framesz", "framesz", DRIVER_UINT, false},
	{"framecnt", "framecnt", DRIVER_UINT, false},
	{"qdisc_bypass", "qdisc_bypass", DRIVER_BOOL, false},
	{NULL},
};

static int af_packet_parse(struct cfg_ctx *ctx, const json_t *obj, struct port_conf *c)
{
	return driver_devargs(ctx, obj, c, "net_af_packet", af_packet_keys);
}

static struct port_driver af_packet_driver = {
	.name = "af_packet",
	.keys = af_packet_keys,
	.queues_arg = "qpairs",
	.parse = af_packet_parse,
	.medium_up = driver_netdev_running,
};
PORT_DRIVER_REGISTER(af_packet_driver)
