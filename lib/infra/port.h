/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_ethdev.h>
#include <rte_ether.h>

#include "iface.h"
#include "stats.h"

struct cfg_ctx; /* config/config.h: the drivers' parsers (drivers/) take the parser's context */

/* A port as the config file and the API describe it. */
struct port_conf {
	char name[FP_IFACE_NAMESIZE];
	const struct port_driver *driver;
	char devargs[512];	 /* what rte_dev_probe() gets, built by the driver */
	char extra_devargs[256]; /* the "devargs" key: options appended as written */
	uint16_t mtu;
	bool mac_set;
	struct rte_ether_addr mac;
	uint16_t rxqs;
	uint16_t rx_queues; /* what is configured: rxqs, or more where the driver demands */
	uint16_t rx_ring;
	uint16_t tx_ring;
	bool promisc;
	bool up; /* "up": false: set down (ip link set down), which a reload does not recreate */
	json_t *driver_args; /* the driver's own keys as written, for dumps */
};

/*
 * A driver config key and the EAL devargs option it becomes (NULL: it names the device).
 * DRIVER_PATH is a string that names a file the PMD opens (a pcap file, a socket, a
 * program): such a port comes from fastpathd's own config file only, never from a document
 * an API client loads (cfg_doc_from_client()).
 */
struct port_driver_key {
	const char *key;
	const char *devarg;
	enum { DRIVER_STRING, DRIVER_PATH, DRIVER_UINT, DRIVER_BOOL } type;
	bool required;
};

/*
 * A port type (drivers/): the config keys it takes and how they become EAL
 * devargs. Registered by constructor from drivers/<type>.c.
 */
struct port_driver {
	const char *name; /* "af_packet", "af_xdp", "tap", "memif", "pcap", "null", "pci" */
	const struct port_driver_key *keys; /* its own config keys, ending with {NULL} */
	/* devargs key that sets the queue count when the device cannot be told at configure
	 * time (af_packet's "qpairs"); port_create() appends it. NULL otherwise. */
	const char *queues_arg;
	/* Validates its keys in obj and writes conf->devargs. */
	int (*parse)(struct cfg_ctx *ctx, const json_t *obj, struct port_conf *conf);
	/* Checks, before the probe, that the device is free and can have the queues queues_arg
	 * will ask, for an error that says why. Or NULL. */
	int (*check_probe)(const struct port_conf *conf, uint16_t queues);
	/* Adds the port's counters that ethdev stats lack (af_xdp: its XDP program's). Or NULL. */
	void (*counters)(const struct port_conf *conf, counter_cb cb, json_t *out);
	/* Whether the medium is up, for a PMD whose link status does not follow it (af_packet's
	 * is up from start to stop); NULL: the PMD's status tells. */
	bool (*medium_up)(const struct port_conf *conf);
	struct port_driver *next;
};

void port_driver_register(struct port_driver *d);
const struct port_driver *port_driver_find(const char *name);

#define PORT_DRIVER_REGISTER(d)                                                                    \
	static void __attribute__((constructor)) port_driver_reg_##d(void)                         \
	{                                                                                          \
		port_driver_register(&d);                                                          \
	}

int port_create(const struct port_conf *conf, struct iface **out);
void port_destroy(struct iface *iface);
uint16_t port_rxq_count(uint16_t port_id);
/* Whether the port sends chained (multi-segment) frames: its driver offers it. */
bool port_tx_multi_segs(uint16_t port_id);
/* The port's link (rte_eth_link_get_nowait()), down when its driver knows the medium is. */
int port_link_get(const struct iface *iface, struct rte_eth_link *link);
/*
 * ip link set: at run time, the port and its twin kept. Down stops polling the port and
 * takes its link (and the twin's carrier) down; the NIC's own link too where the PMD can.
 * The MTU changes where the PMD allows it at run time, else -ENOTSUP with a message.
 */
int port_set_admin(struct iface *iface, bool up);
int port_set_mtu(struct iface *iface, uint16_t mtu);
/* The configuration a port was created with. */
const struct port_conf *port_conf_of(const struct iface *iface);
/* Sum of port sizes: what the mbuf pool must hold. */
struct rte_mempool *port_mempool(int socket_id);
