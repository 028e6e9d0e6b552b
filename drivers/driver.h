/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

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
