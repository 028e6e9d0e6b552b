/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ports' API: port.info, what an operator checks of a NIC (its PMD, device, NUMA node,
 * link, offloads); iface.set; the link events monitors hear.
 */
#include "api/api.h"
#include "base/fp_error.h"
#include "config/config.h"
#include "infra/iface.h"
#include "infra/port.h"

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

/* The names of the offload bits set in bits: the PMD's capabilities or what is enabled. */
static json_t *offload_names(uint64_t bits, const char *(*name)(uint64_t))
{
	json_t *list = json_array();

	for (unsigned int b = 0; b < 64; b++)
		if (bits & (UINT64_C(1) << b))
			json_array_append_new(list, json_string(name(UINT64_C(1) << b)));
	return list;
}

static json_t *port_info(const struct iface *iface, const struct port_conf *conf)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf dev_conf = {0};
	struct rte_eth_link link = {0};
	int numa = rte_eth_dev_socket_id(iface->port_id);
	const char *bus = NULL, *device = NULL;

	if (rte_eth_dev_info_get(iface->port_id, &info) < 0)
		return NULL;
	rte_eth_dev_conf_get(iface->port_id, &dev_conf);
	port_link_get(iface, &link);
	if (info.device != NULL) {
		device = rte_dev_name(info.device);
		bus = rte_bus_name(rte_dev_bus(info.device));
	}
	/* numa_node -1: a virtual device, or a machine without NUMA */
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:i, s:s, s:b, s:i, s:i, s:{s:o, s:o}, "
		"s:{s:o, s:o}}",
		"name", iface->name, "driver", conf->driver->name, "pmd",
		info.driver_name ? info.driver_name : "", "bus", bus ? bus : "", "device",
		device ? device : "", "numa_node", numa, "link_up",
		link.link_status == RTE_ETH_LINK_UP, "speed_mbps", link.link_speed, "duplex",
		link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX ? "full" : "half", "autoneg",
		link.link_autoneg == RTE_ETH_LINK_AUTONEG, "rx_queues", info.nb_rx_queues,
		"tx_queues", info.nb_tx_queues, "rx_offloads", "enabled",
		offload_names(dev_conf.rxmode.offloads, rte_eth_dev_rx_offload_name), "capable",
		offload_names(info.rx_offload_capa, rte_eth_dev_rx_offload_name), "tx_offloads",
		"enabled", offload_names(dev_conf.txmode.offloads, rte_eth_dev_tx_offload_name),
		"capable", offload_names(info.tx_offload_capa, rte_eth_dev_tx_offload_name));
}

static int api_port_info(const json_t *args, json_t **result)
{
	json_t *list = json_array(), *o;

	(void)args;
	for (unsigned int i = 0; i < FP_MAX_IFACES; i++) {
		const struct iface *iface = fp_ifaces[i];

		if (iface != NULL && port_conf_of(iface) != NULL &&
			(o = port_info(iface, port_conf_of(iface))) != NULL)
			json_array_append_new(list, o);
	}
	*result = json_pack("{s:o}", "ports", list);
	return 0;
}

API_COMMAND(port_info_cmd, "port.info",
	"each port's PMD, bus and device (the PCI address of a NIC), NUMA node, link, queues, and "
	"RX and TX offloads enabled and offered",
	api_port_info, API_NO_ARGS)

/* {"name": "p1", "up": true|false, "mtu": N}: both optional, the MTU first */
static int api_iface_set(const json_t *args, json_t **result)
{
	struct cfg_ctx ctx;
	const char *name;
	struct iface *iface;
	uint64_t mtu = 0;
	bool up = true;
	int has_up = 0, has_mtu = 0, ret;

	(void)result;
	cfg_ctx_init(&ctx, NULL);
	if ((ret = cfg_get_string(&ctx, args, "name", true, &name)) >= 0 &&
		(ret = has_up = cfg_get_bool(&ctx, args, "up", false, &up)) >= 0)
		ret = has_mtu = cfg_get_uint(&ctx, args, "mtu", false, 68, 9600, &mtu);
	cfg_ctx_fini(&ctx);
	if (ret < 0)
		return ret;
	if ((iface = iface_by_name(name)) == NULL)
		return fp_error(ENODEV, "no interface %s", name);
	if (has_mtu && (ret = port_set_mtu(iface, mtu)) < 0)
		return ret;
	return has_up ? port_set_admin(iface, up) : 0;
}

API_COMMAND(iface_set_cmd, "iface.set", "set an interface up or down, or its MTU, at run time",
	api_iface_set, API_ARGS("name", "up", "mtu"))

/* The link watch (infra/port.c) found iface->link_up changed: monitors hear it. */
static void link_changed(struct iface *iface)
{
	struct rte_eth_link link;

	if (!api_event_wanted("link") || port_link_get(iface, &link) < 0)
		return;
	api_event_publish(iface->link_up ? "link.up" : "link.down",
		json_pack("{s:s, s:i}", "name", iface->name, "speed_mbps", link.link_speed));
}

static struct iface_listener link_events = {.order = 100, .link_changed = link_changed};

static void __attribute__((constructor)) link_events_register(void)
{
	iface_listener_register(&link_events);
}
