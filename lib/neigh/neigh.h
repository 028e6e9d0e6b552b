/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_mbuf.h>

#include "infra/control.h"
#include "neigh_sm.h"

#define NEIGH_L2_VALID (1ull << 63)

/*
 * What a neighbour is found by: interface, family and address, 20 bytes that the hash reads
 * whole (neigh_key_hash()). Make keys with neigh_key4(), neigh_key6() or neigh_key_of(), which
 * leave no byte undefined.
 */
struct neigh_key {
	uint16_t iface;
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t pad;	/* 0 */
	union {
		uint32_t v4; /* network order, then 12 zero bytes */
		struct fp_ip6_addr v6;
	} addr;
};

static inline struct neigh_key neigh_key4(uint16_t iface, uint32_t ip)
{
	struct neigh_key k;

	memset(&k, 0, sizeof(k));
	k.iface = iface;
	k.family = AF_INET;
	k.addr.v4 = ip;
	return k;
}

static inline struct neigh_key neigh_key6(uint16_t iface, const struct fp_ip6_addr *ip)
{
	struct neigh_key k;

	memset(&k, 0, sizeof(k));
	k.iface = iface;
	k.family = AF_INET6;
	k.addr.v6 = *ip;
	return k;
}

static inline struct neigh_key neigh_key_of(uint16_t iface, const struct fp_ip_addr *a)
{
	return a->family == AF_INET ? neigh_key4(iface, a->v4) : neigh_key6(iface, &a->v6);
}

static inline struct fp_ip_addr neigh_key_addr(const struct neigh_key *k)
{
	return k->family == AF_INET ? fp_ip_addr4(k->addr.v4) : fp_ip_addr6(&k->addr.v6);
}

/*
 * A neighbour: an IPv4 or IPv6 host on a connected network, next hop of routes or
 * destination itself. The control thread owns it and runs its state machine;
 * workers read only l2 (the MAC with a valid bit, one atomic word) and mark it
 * used.
 */
struct neigh {
	uint64_t l2;	  /* MAC in the low 48 bits | NEIGH_L2_VALID */
	uint64_t used_ms; /* fp_clock_ms of the last packet sent through it */
	struct neigh_key key;
	/* control thread only */
	uint32_t refcnt; /* routes using it as gateway */
	bool router;	 /* IPv6: the neighbour said it is a router (NTF_ROUTER) */
	struct neigh_sm sm;
	struct rte_mbuf *held_head, *held_tail; /* packets waiting for resolution */
	uint32_t held_bytes;
	uint32_t held_count;
	uint64_t reported; /* state and l2 last told to monitors */
};

extern struct rte_hash *fp_neigh_hash;

/* The hash function of fp_neigh_hash: CRC32-C of the key's 20 bytes. */
static inline uint32_t neigh_key_hash(const void *key, uint32_t len, uint32_t init)
{
	uint64_t w0, w1;
	uint32_t w2;

	(void)len;
	memcpy(&w0, key, 8);
	memcpy(&w1, (const char *)key + 8, 8);
	memcpy(&w2, (const char *)key + 16, 4);
	return rte_hash_crc_4byte(w2, rte_hash_crc_8byte(w1, rte_hash_crc_8byte(w0, init)));
}

/* The neighbour of key, if the control thread knows it; safe on workers. */
static inline struct neigh *neigh_lookup_key(const struct neigh_key *key)
{
	void *n;

	return rte_hash_lookup_data(fp_neigh_hash, key, &n) >= 0 ? n : NULL;
}

/* The neighbour for ip on iface (IPv4), if the control thread knows it; safe on workers. */
static inline struct neigh *neigh_lookup(uint16_t iface, uint32_t ip)
{
	struct neigh_key key = neigh_key4(iface, ip);

	return neigh_lookup_key(&key);
}

/* The same for an IPv6 address. */
static inline struct neigh *neigh6_lookup(uint16_t iface, const struct fp_ip6_addr *ip)
{
	struct neigh_key key = neigh_key6(iface, ip);

	return neigh_lookup_key(&key);
}

/* Datapath: copies the MAC and marks the entry used; false if there is no usable MAC. */
static inline bool neigh_l2_get(struct neigh *n, struct rte_ether_addr *mac)
{
	uint64_t l2 = __atomic_load_n(&n->l2, __ATOMIC_RELAXED);
	uint64_t now = fp_clock_ms;

	if (!(l2 & NEIGH_L2_VALID))
		return false;
	/* one write per tick at most: workers share this cache line */
	if (n->used_ms != now)
		__atomic_store_n(&n->used_ms, now, __ATOMIC_RELAXED);
	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		mac->addr_bytes[i] = l2 >> (8 * i);
	return true;
}

/*
 * Control thread (which looks entries up with neigh_lookup_key() too). The functions take a
 * key of either family; those named without one below are their IPv4 forms.
 */
/* Finds or creates the entry and takes a reference (a route's gateway). */
struct neigh *neigh_ref_key(const struct neigh_key *key);
void neigh_unref(struct neigh *n);
/* A static entry (PERMANENT), on any interface, whatever its addresses. */
int neigh_static_add_key(const struct neigh_key *key, const struct rte_ether_addr *mac);
int neigh_del_key(const struct neigh_key *key);
/*
 * The learning entry point of ARP (NDP's is neigh_nd_update()): a packet from the key's
 * address with sha proved state; create: make the entry if there is none (else only refresh
 * one), garp: a gratuitous announcement, which may override within locktime.
 */
void neigh_learn_key(const struct neigh_key *key, const struct rte_ether_addr *sha,
	enum neigh_state state, bool create, bool garp);
/*
 * NDP's learning (ndisc_update() -> neigh_update()): lladdr (NULL: keep the known one) proves
 * state, with NEIGH_UPDATE_F_* flags; create: make the entry if there is none; router: 1 or 0
 * sets the entry's router flag (NEIGH_UPDATE_F_ISROUTER), -1 leaves it. The entry, or NULL.
 */
struct neigh *neigh_nd_update(const struct neigh_key *key, const struct rte_ether_addr *lladdr,
	enum neigh_state state, uint32_t flags, bool create, int router);
/* Calls cb for every entry, both families, until it returns nonzero (returned). */
int neigh_walk(int (*cb)(const struct neigh *n, void *arg), void *arg);
/*
 * The control thread's side of the datapath contract (neigh_sm.h): m must go out through n,
 * which has no usable MAC for the workers. The state machine sends it (n's family's output
 * node), holds it while n resolves, or drops it. Takes m.
 */
void neigh_output(struct neigh *n, struct rte_mbuf *m);
/*
 * The periodic work the control thread runs every 100 ms as of now: timers (probes,
 * REACHABLE -> STALE, resolution failures), STALE entries the workers used (-> DELAY) and
 * garbage collection. Public for the tests, which run it on a clock of their own.
 */
void neigh_periodic(int64_t now);

static inline struct neigh *neigh_ref(uint16_t iface, uint32_t ip)
{
	struct neigh_key key = neigh_key4(iface, ip);

	return neigh_ref_key(&key);
}

static inline int neigh_static_add(uint16_t iface, uint32_t ip, const struct rte_ether_addr *mac)
{
	struct neigh_key key = neigh_key4(iface, ip);

	return neigh_static_add_key(&key, mac);
}

static inline int neigh_del(uint16_t iface, uint32_t ip)
{
	struct neigh_key key = neigh_key4(iface, ip);

	return neigh_del_key(&key);
}

static inline void neigh_learn(uint16_t iface, uint32_t ip, const struct rte_ether_addr *sha,
	enum neigh_state state, bool create, bool garp)
{
	struct neigh_key key = neigh_key4(iface, ip);

	neigh_learn_key(&key, sha, state, create, garp);
}

/*
 * Sends a probe for n's address out of n's interface: unicast to dst (the known MAC, in
 * PROBE), or to the family's broadcast or multicast address when dst is NULL (INCOMPLETE).
 * Returns 0 or <0; the state machine goes on either way.
 */
typedef int (*neigh_resolver_fn)(const struct neigh *n, const struct rte_ether_addr *dst);
/*
 * The probes of a family: ARP registers IPv4's (arp.c); NDP IPv6's (ip6/ndp.c). Until a
 * family has one, its entries that need resolution send nothing (each probe is counted as
 * neigh_no_resolver) and go FAILED after the usual probes, as unanswered ones do.
 * 0, or -EAFNOSUPPORT for a family other than AF_INET and AF_INET6.
 */
int neigh_register_resolver(uint8_t family, neigh_resolver_fn fn);

/* Sends an ARP request for ip out of iface; to dst, or broadcast if dst is NULL. */
int arp_send_request(uint16_t iface, uint32_t ip, const struct rte_ether_addr *dst);
/* ARP from the workers (punt handler). */
void arp_input(struct rte_mbuf *m);
/* Announces ip on iface (sender and target ip): neighbours update their caches. */
void arp_gratuitous(uint16_t iface, uint32_t ip);

/*
 * Punt reason for packets whose next hop has no usable MAC (eth_output_push()): neigh_output()
 * through the entry on iface_out of priv->nh_addr (IPv4) or priv->nh6 (IPv6), made if there is
 * none. Held, they leave with their Ethernet header, to port_tx.
 */
extern int neigh_punt_resolve;

/*
 * The table's parameters, the "neigh" config section, for both families (Linux's
 * net.ipv4.neigh.default.* and net.ipv6.neigh.default.*, and two of fastpath's own).
 */
struct neigh_conf {
	uint32_t unres_qlen_bytes; /* held per entry, bytes: 212992, as Linux's */
	uint32_t unres_qlen_total; /* held by all entries, packets: a quarter of eal.mbufs */
	/* packets a second each worker punts for resolution (beyond: neigh_resolve_rate_limited,
	 * dropped on the worker); 0: no limit */
	uint32_t unres_punt_pps;
};

/* unres_qlen_total unless configured: a quarter of a port pool's mbufs */
uint32_t neigh_unres_qlen_total_default(void);
void neigh_conf_get(struct neigh_conf *c);
int neigh_conf_set(const struct neigh_conf *c);

/* A neighbour as the API shows it; config: only what the config file holds. */
json_t *neigh_to_json(const struct neigh *n, bool config);
