/* SPDX-License-Identifier: BSD-3-Clause */
#include "driver.h"

#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* The PMD says up from start to stop: the netdev's operational state is the medium
 * (IFF_RUNNING: up, with its carrier). */
static bool af_packet_medium_up(const struct port_conf *conf)
{
	const char *netdev = json_string_value(json_object_get(conf->driver_args, "iface"));
	struct ifreq ifr = {0};
	int sock;
	bool up = true; /* when it cannot be asked, the PMD's word stands */

	if (netdev == NULL || (sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return up;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", netdev);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) == 0)
		up = ifr.ifr_flags & IFF_RUNNING;
	close(sock);
	return up;
}

static struct port_driver af_packet_driver = {
	.name = "af_packet",
	.keys = af_packet_keys,
	.queues_arg = "qpairs",
	.parse = af_packet_parse,
	.medium_up = af_packet_medium_up,
};
PORT_DRIVER_REGISTER(af_packet_driver)
