/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include "config/config.h"
#include "infra/port.h"

/*
 * Builds "<pmd>_<port name>,opt=value,..." from the driver's keys in obj.
 * With pmd NULL the device is named by the first key's value (PCI address).
 */
int driver_devargs(struct cfg_ctx *ctx, const json_t *obj, struct port_conf *conf, const char *pmd,
	const struct port_driver_key *keys);

/* A port driver that is nothing but its table of keys. */
#define PORT_DRIVER(drv_name, pmd, queues, ...)                                                    \
	static const struct port_driver_key drv_name##_keys[] = {__VA_ARGS__, {NULL}};             \
	static int drv_name##_parse(struct cfg_ctx *ctx, const json_t *obj, struct port_conf *c)   \
	{                                                                                          \
		return driver_devargs(ctx, obj, c, pmd, drv_name##_keys);                          \
	}                                                                                          \
	static struct port_driver drv_name##_driver = {                                            \
		.name = #drv_name,                                                                 \
		.keys = drv_name##_keys,                                                           \
		.queues_arg = queues,                                                              \
		.parse = drv_name##_parse,                                                         \
	};                                                                                         \
	PORT_DRIVER_REGISTER(drv_name##_driver)

/* The kernel netdev of a port over one (af_packet, af_xdp: the "iface" key); NULL if none. */
const char *driver_netdev(const struct port_conf *conf);

/*
 * medium_up of drivers whose PMD says up from start to stop (af_packet, af_xdp in DPDK 22.11):
 * the netdev's operational state (IFF_RUNNING: up, with its carrier). When it cannot be
 * asked, the PMD's word stands (up).
 */
bool driver_netdev_running(const struct port_conf *conf);
