/* SPDX-License-Identifier: BSD-3-Clause */
#include "port.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "base/module.h"
#include "control.h"
#include "graph/mbuf.h"
#include "graph/worker.h"
#include "settings.h"

#include <errno.h>

#include <rte_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

static struct port_driver *drivers;
static struct port_conf *confs[RTE_MAX_ETHPORTS];
static struct rte_mempool *pools[RTE_MAX_NUMA_NODES];

void port_driver_register(struct port_driver *d)
{
	d->next = drivers;
	drivers = d;
}

const struct port_driver *port_driver_find(const char *name)
{
	for (const struct port_driver *d = drivers; d != NULL; d = d->next)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

struct rte_mempool *port_mempool(int socket_id)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	if (socket_id < 0 || socket_id >= RTE_MAX_NUMA_NODES)
		socket_id = 0;
	if (pools[socket_id] != NULL)
		return pools[socket_id];
	snprintf(name, sizeof(name), "mbuf-%d", socket_id);
	pools[socket_id] = rte_pktmbuf_pool_create(name, fp_settings.mbufs, 256, FP_MBUF_PRIV_SIZE,
		RTE_MBUF_DEFAULT_BUF_SIZE, socket_id);
	if (pools[socket_id] == NULL && rte_errno == ENOMEM)
		fp_error(ENOMEM,
			"not enough memory for the pool of %u mbufs (eal.mbufs, about %u MB) on "
			"socket %d: lower eal.mbufs, or " FP_MORE_MEMORY,
			fp_settings.mbufs,
			(unsigned int)(((uint64_t)fp_settings.mbufs *
						       (sizeof(struct rte_mbuf) +
							       FP_MBUF_PRIV_SIZE +
							       RTE_MBUF_DEFAULT_BUF_SIZE) +
					       (1 << 20) - 1) >>
				       20),
			socket_id);
	else if (pools[socket_id] == NULL)
		fp_error(ENOMEM, "mbuf pool of %u on socket %d: %s", fp_settings.mbufs, socket_id,
			rte_strerror(rte_errno));
	return pools[socket_id];
}

/* An interface set down is not polled: its packets stay in the port's rings, as a NIC's. */
uint16_t port_rxq_count(uint16_t port_id)
{
	const struct iface *iface =
		port_id < RTE_MAX_ETHPORTS ? iface_get(fp_port_iface[port_id]) : NULL;

	if (iface != NULL && !iface->admin_up)
		return 0;
	return port_id < RTE_MAX_ETHPORTS && confs[port_id] ? confs[port_id]->rx_queues : 0;
}

/* Every RX queue of the ports, handed to the workers, which poll them in turn. */
static int ports_assign_rxqs(void)
{
	struct rxq q[FP_MAX_IFACES * RTE_MAX_QUEUES_PER_PORT];
	uint16_t n = 0;

	for (unsigned int i = 0; i < FP_MAX_IFACES; i++) {
		const struct iface *iface = fp_ifaces[i];

		if (iface == NULL || iface->port_id >= RTE_MAX_ETHPORTS)
			continue;
		for (uint16_t k = 0; k < port_rxq_count(iface->port_id); k++)
			q[n++] = (struct rxq){iface->port_id, k};
	}
	return workers_set_rxqs(q, n);
}

const struct port_conf *port_conf_of(const struct iface *iface)
{
	return iface->port_id < RTE_MAX_ETHPORTS ? confs[iface->port_id] : NULL;
}

static int port_configure(uint16_t port_id, struct port_conf *conf)
{
	struct rte_eth_conf eth_conf = {0};
	struct rte_eth_dev_info info;
	int socket = rte_eth_dev_socket_id(port_id);
	struct rte_mempool *pool = port_mempool(socket);
	uint16_t rxd = conf->rx_ring, txd = conf->tx_ring;
	int ret;

	if (pool == NULL)
		return -ENOMEM;
	ret = rte_eth_dev_info_get(port_id, &info);
	if (ret < 0)
		return fp_error(ret, "device info: %s", rte_strerror(-ret));
	/* af_packet spreads packets over all its sockets (PACKET_FANOUT): poll every one */
	conf->rx_queues = conf->driver->queues_arg ? RTE_MAX(conf->rxqs, fp_n_workers) : conf->rxqs;
	if (conf->rx_queues > info.max_rx_queues)
		return fp_error(EINVAL, "%u RX queues asked, the device has %u", conf->rx_queues,
			info.max_rx_queues);
	if (fp_n_workers > info.max_tx_queues)
		return fp_error(EINVAL, "%u workers need as many TX queues, the device has %u",
			fp_n_workers, info.max_tx_queues);
	if (conf->rx_queues > 1) {
		/* spread flows over the queues, hence over the workers */
		eth_conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		eth_conf.rx_adv_conf.rss_conf.rss_hf =
			info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	eth_conf.rxmode.mtu = conf->mtu;
	/* chained frames: the kernel twins' over one mbuf (twin_mtu()) */
	eth_conf.txmode.offloads = info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	ret = rte_eth_dev_configure(port_id, conf->rx_queues, fp_n_workers, &eth_conf);
	if (ret < 0)
		return fp_error(ret, "configure: %s", rte_strerror(-ret));
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rxd, &txd);
	if (ret < 0)
		return fp_error(ret, "ring sizes: %s", rte_strerror(-ret));
	for (uint16_t q = 0; q < conf->rx_queues; q++) {
		ret = rte_eth_rx_queue_setup(port_id, q, rxd, socket, NULL, pool);
		if (ret < 0)
			return fp_error(ret, "RX queue %u: %s", q, rte_strerror(-ret));
	}
	for (uint16_t q = 0; q < fp_n_workers; q++) {
		ret = rte_eth_tx_queue_setup(port_id, q, txd, socket, NULL);
		if (ret < 0)
			return fp_error(ret, "TX queue %u: %s", q, rte_strerror(-ret));
	}
	if (conf->mac_set) {
		ret = rte_eth_dev_default_mac_addr_set(
			port_id, (struct rte_ether_addr *)&conf->mac);
		if (ret < 0)
			return fp_error(ret, "MAC address: %s", rte_strerror(-ret));
	}
	ret = conf->promisc ? rte_eth_promiscuous_enable(port_id)
			    : rte_eth_promiscuous_disable(port_id);
	if (ret < 0 && ret != -ENOTSUP)
		return fp_error(ret, "promiscuous mode: %s", rte_strerror(-ret));
	ret = rte_eth_dev_start(port_id);
	if (ret < 0)
		return fp_error(ret, "start: %s", rte_strerror(-ret));
	return 0;
}

bool port_tx_multi_segs(uint16_t port_id)
{
	struct rte_eth_conf conf;

	return rte_eth_dev_conf_get(port_id, &conf) == 0 &&
	       (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
}

/* The ethdev name is the devargs up to the first comma. */
static int port_probe(const char *devargs, uint16_t *port_id)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	int ret;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(devargs, ","), devargs);
	ret = rte_dev_probe(devargs);
	if (ret < 0)
		return fp_error(ret, "cannot probe '%s': %s", devargs, rte_strerror(-ret));
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	/* PCI devices may register several ports or name them differently: take the first */
	RTE_ETH_FOREACH_DEV (*port_id) {
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(*port_id, &info) == 0 &&
			strcmp(rte_dev_name(info.device), name) == 0)
			return 0;
	}
	return fp_error(ENODEV, "'%s' probed but no ethdev port appeared", devargs);
}

static void port_unprobe(uint16_t port_id)
{
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;

	if (rte_eth_dev_info_get(port_id, &info) == 0)
		dev = info.device;
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
	if (dev != NULL)
		rte_dev_remove(dev);
}

int port_create(const struct port_conf *conf, struct iface **out)
{
	/* what queues_arg asks for: port_configure() polls them all */
	uint16_t queues = RTE_MAX(conf->rxqs, fp_n_workers);
	struct port_conf *copy = NULL;
	struct iface *iface = NULL;
	char devargs[1024];
	uint16_t port_id;
	int ret;

	if (conf->driver->check_probe != NULL &&
		(ret = conf->driver->check_probe(conf, queues)) < 0)
		return fp_error_prefix(ret, "port %s: ", conf->name);
	ret = iface_alloc(conf->name, &iface);
	if (ret < 0)
		return ret;
	snprintf(devargs, sizeof(devargs), "%s", conf->devargs);
	if (conf->driver->queues_arg != NULL)
		snprintf(devargs + strlen(devargs), sizeof(devargs) - strlen(devargs), ",%s=%u",
			conf->driver->queues_arg, queues);
	if (conf->extra_devargs[0])
		snprintf(devargs + strlen(devargs), sizeof(devargs) - strlen(devargs), ",%s",
			conf->extra_devargs);
	ret = port_probe(devargs, &port_id);
	if (ret < 0)
		goto free_iface;
	copy = malloc(sizeof(*copy));
	if (copy == NULL) {
		ret = fp_error(ENOMEM, "out of memory");
		goto unprobe;
	}
	*copy = *conf;
	ret = port_configure(port_id, copy);
	if (ret < 0) {
		free(copy);
		goto unprobe;
	}
	json_incref(copy->driver_args);
	confs[port_id] = copy;
	iface->port_id = port_id;
	iface->mtu = conf->mtu;
	iface->admin_up = true; /* a port starts up; ports_apply() sets it down if "up": false */
	copy->up = true;
	rte_eth_macaddr_get(port_id, &iface->mac);
	iface_publish(iface);
	ret = ports_assign_rxqs();
	if (ret < 0) {
		port_destroy(iface);
		return ret;
	}
	LOG(INFO, "port %s: %s, ethdev %u, %u RX queues", conf->name, devargs, port_id,
		copy->rx_queues);
	*out = iface;
	return 0;
unprobe:
	port_unprobe(port_id);
free_iface:
	rte_free(iface);
	return fp_error_prefix(ret, "port %s: ", conf->name);
}

void port_destroy(struct iface *iface)
{
	uint16_t port_id = iface->port_id;

	struct port_conf *conf = port_id < RTE_MAX_ETHPORTS ? confs[port_id] : NULL;

	/* the workers stop polling its queues before the interface goes */
	if (conf != NULL) {
		conf->rx_queues = 0;
		ports_assign_rxqs();
	}
	iface_free(iface);
	if (conf == NULL)
		return;
	json_decref(conf->driver_args);
	free(conf);
	confs[port_id] = NULL;
	port_unprobe(port_id);
}

int port_link_get(const struct iface *iface, struct rte_eth_link *link)
{
	const struct port_conf *conf = port_conf_of(iface);
	int ret;

	*link = (struct rte_eth_link){0};
	if (conf == NULL)
		return -ENODEV;
	ret = rte_eth_link_get_nowait(iface->port_id, link);
	if (ret == 0 && conf->driver->medium_up != NULL && !conf->driver->medium_up(conf))
		link->link_status = RTE_ETH_LINK_DOWN;
	return ret;
}

/*
 * Link changes are logged and told to the interface listeners (monitors hear them from
 * infractl/port_api.c's: link.up, link.down). An interface set down
 * has its link down, as Linux's: the twin loses its carrier.
 */
static void link_watch(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < FP_MAX_IFACES; i++) {
		struct iface *iface = fp_ifaces[i];
		struct rte_eth_link link;

		if (iface == NULL || port_link_get(iface, &link) < 0 ||
			(iface->admin_up && link.link_status == RTE_ETH_LINK_UP) == iface->link_up)
			continue;
		iface->link_up = iface->admin_up && link.link_status == RTE_ETH_LINK_UP;
		LOG(INFO, "port %s: link %s %u Mb/s", iface->name, iface->link_up ? "up" : "down",
			link.link_speed);
		iface_link_changed(iface);
	}
}

int port_set_admin(struct iface *iface, bool up)
{
	int ret;

	if (port_conf_of(iface) == NULL)
		return fp_error(ENODEV, "%s is not a port", iface->name);
	if (iface->admin_up == up)
		return 0;
	/* the NIC's own link too where the PMD can (the peer sees it), else fastpath's alone */
	ret = up ? rte_eth_dev_set_link_up(iface->port_id)
		 : rte_eth_dev_set_link_down(iface->port_id);
	if (ret < 0 && ret != -ENOTSUP && ret != -EIO)
		return fp_error(ret, "%s: link %s: %s", iface->name, up ? "up" : "down",
			rte_strerror(-ret));
	__atomic_store_n(&iface->admin_up, up, __ATOMIC_RELEASE);
	if ((ret = ports_assign_rxqs()) < 0) {
		__atomic_store_n(&iface->admin_up, !up, __ATOMIC_RELEASE);
		return ret;
	}
	confs[iface->port_id]->up = up; /* config dump shows it */
	LOG(INFO, "port %s: set %s", iface->name, up ? "up" : "down");
	iface_admin_changed(iface);
	link_watch(NULL);
	return 0;
}

int port_set_mtu(struct iface *iface, uint16_t mtu)
{
	struct port_conf *conf = iface->port_id < RTE_MAX_ETHPORTS ? confs[iface->port_id] : NULL;
	struct rte_eth_dev_info info;
	int ret;

	if (conf == NULL)
		return fp_error(ENODEV, "%s is not a port", iface->name);
	if ((ret = rte_eth_dev_info_get(iface->port_id, &info)) < 0)
		return fp_error(ret, "%s: device info: %s", iface->name, rte_strerror(-ret));
	if (mtu < info.min_mtu || mtu > info.max_mtu)
		return fp_error(EINVAL, "%s: MTU %u out of its driver's range (%u to %u)",
			iface->name, mtu, info.min_mtu, info.max_mtu);
	ret = rte_eth_dev_set_mtu(iface->port_id, mtu);
	if (ret == -ENOTSUP)
		return fp_error(ENOTSUP,
			"%s: the %s driver cannot change its MTU at run time (set the port's mtu "
			"in the config)",
			iface->name, conf->driver->name);
	if (ret < 0)
		return fp_error(ret, "%s: the %s driver refuses MTU %u: %s", iface->name,
			conf->driver->name, mtu, rte_strerror(-ret));
	/* the workers read it for fragmentation and ICMP too big; config dump shows it */
	__atomic_store_n(&iface->mtu, mtu, __ATOMIC_RELEASE);
	conf->mtu = mtu;
	LOG(INFO, "port %s: MTU %u", iface->name, mtu);
	iface_mtu_changed(iface);
	return 0;
}

static int link_watch_init(void)
{
	return control_timer_add("link watch", 500, link_watch, NULL);
}

static struct fp_module link_watch_module = {
	.name = "link watch",
	.order = 6,
	.init = link_watch_init,
};
FP_MODULE_REGISTER(link_watch_module)
