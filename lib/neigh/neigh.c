/* SPDX-License-Identifier: BSD-3-Clause */
#include "neigh.h"
#include "api/api.h"
#include "eth/eth_output.h"
#include "base/counter.h"
#include "base/fp_error.h"
#include "graph/graph.h"
#include "infra/iface.h"
#include "base/log.h"
#include "graph/mbuf.h"
#include "base/module.h"
#include "graph/punt.h"
#include "infra/settings.h"
#include "graph/worker.h"

#include <errno.h>

#include <rte_errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_graph.h>
#include <rte_malloc.h>
#include <rte_random.h>

#define NEIGH_MAX     65536
#define NEIGH_SCAN_MS 100

/* neigh_key_hash() reads exactly this */
_Static_assert(sizeof(struct neigh_key) == 20, "struct neigh_key is hashed as 20 bytes");

/*
 * What differs between the families: Linux's arp_tbl and nd_tbl (their parameters, each with
 * its own reachable_time draw), the probes, the ethertype and where held packets go when
 * resolution fails.
 */
struct neigh_family {
	uint8_t family;
	uint16_t ethertype;
	const char *error_node; /* held packets when resolution failed: host unreachable */
	uint8_t unreach_type, unreach_code;
	uint32_t locktime; /* ms; nd_tbl has none */
	struct neigh_params params;
	int edge_error;		    /* punt_inject() edge; -1: no such node in this build */
	neigh_resolver_fn resolver; /* NULL: probes are counted and not sent */
};

static struct neigh_family families[] = {
	/* ICMP destination unreachable, host unreachable (arp_error_report) */
	{AF_INET, RTE_ETHER_TYPE_IPV4, "icmp4_error", 3, 1, 1000},
	/* ICMPv6 destination unreachable, address unreachable (ndisc_error_report) */
	{AF_INET6, RTE_ETHER_TYPE_IPV6, "icmp6_error", 1, 3, 0},
};

struct rte_hash *fp_neigh_hash;
int neigh_punt_resolve;
static int edge_port_tx; /* held packets leave with their Ethernet header */
static uint64_t params_drawn_ms;
static int64_t gc_last_ms;
static struct neigh_conf conf;
static uint32_t held_total; /* packets held, all entries */

FP_COUNTER(neigh_hold_queue_overflow)
FP_COUNTER(neigh_unres_qlen_total_overflow)
FP_COUNTER(neigh_table_full)
FP_COUNTER(neigh_inject_full)
FP_COUNTER(neigh_no_resolver)	   /* probes of a family without a resolver */
FP_COUNTER(neigh_no_output)	   /* held packets of a family without its error node, on failure */
FP_COUNTER(neigh_no_headroom)	   /* a held packet with no room for its Ethernet header */
FP_COUNTER(neigh_resolve_no_iface) /* punted for resolution on an interface removed since */
/* packets punted for resolution beyond unres_punt_pps a second on a worker */
FP_DROP_NODE(neigh_resolve_rate_limited)

static struct neigh_family *family_by_af(uint8_t af)
{
	for (unsigned int i = 0; i < RTE_DIM(families); i++)
		if (families[i].family == af)
			return &families[i];
	return NULL;
}

/* Keys are made by neigh_key4() and neigh_key6(): the family is one of the table's. */
static struct neigh_family *family_of(const struct neigh *n)
{
	return family_by_af(n->key.family);
}

/* neigh.update for monitors when the state or the MAC changed. */
static void neigh_event(struct neigh *n)
{
	uint64_t now = (uint64_t)n->sm.state << 56 | (n->l2 & 0xffffffffffffull);

	if (now == n->reported)
		return;
	n->reported = now;
	if (api_event_wanted("neigh"))
		api_event_publish("neigh.update", neigh_to_json(n, false));
}

static void publish_l2(struct neigh *n)
{
	uint64_t l2 = 0;

	if (n->sm.state & NEIGH_VALID) {
		for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
			l2 |= (uint64_t)n->sm.lladdr.bytes[i] << (8 * i);
		l2 |= NEIGH_L2_VALID;
	}
	__atomic_store_n(&n->l2, l2, __ATOMIC_RELEASE);
}

static void inject(struct rte_mbuf *m, int edge)
{
	if (edge < 0) {
		rte_pktmbuf_free(m);
		neigh_no_output.value++;
	} else if (punt_inject(m, edge) < 0) {
		neigh_inject_full.value++;
	}
}

static void solicit(struct neigh *n, const struct rte_ether_addr *dst)
{
	neigh_resolver_fn fn = family_of(n)->resolver;

	if (fn == NULL)
		neigh_no_resolver.value++;
	else
		fn(n, dst);
}

/*
 * m goes out through n, which has a usable MAC: with its Ethernet header, to port_tx. The
 * packet is then whole, and the worker that sends it needs n no more (n may be gone by then).
 * As Linux's held packets (neigh->output), it passed the MTU check when it was punted.
 */
static void send_resolved(struct neigh *n, struct rte_mbuf *m)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	struct eth_output_hop hop;
	struct rte_ether_addr mac;

	memcpy(mac.addr_bytes, n->sm.lladdr.bytes, RTE_ETHER_ADDR_LEN);
	priv->iface_out = n->key.iface;
	priv->neigh = NULL;
	eth_output_hop_fill(&hop, priv, NULL, &mac, family_of(n)->ethertype);
	/* the entries of an interface go with it: hop.iface is there */
	if (eth_output_push(m, &hop) != ETH_OUT_TX) {
		rte_pktmbuf_free(m);
		neigh_no_headroom.value++;
		return;
	}
	inject(m, edge_port_tx);
}

/*
 * Held packets are bounded per entry (unres_qlen_bytes, as Linux's) and all entries together
 * (unres_qlen_total packets), so that unresolvable addresses cannot hold the mbuf pool.
 */
static void hold(struct neigh *n, struct rte_mbuf *m)
{
	/* the table is full and the entry has no packet of its own to make room with */
	if (held_total >= conf.unres_qlen_total && n->held_head == NULL) {
		rte_pktmbuf_free(m);
		neigh_unres_qlen_total_overflow.value++;
		return;
	}
	fp_mbuf_priv(m)->queue_next = NULL;
	if (n->held_tail != NULL)
		fp_mbuf_priv(n->held_tail)->queue_next = m;
	else
		n->held_head = m;
	n->held_tail = m;
	n->held_bytes += m->pkt_len;
	n->held_count++;
	held_total++;
	/* like Linux, the oldest packets make room (neigh_queue_packet) */
	while (n->held_head != m && (n->held_bytes > n->sm.params->unres_qlen_bytes ||
					    held_total > conf.unres_qlen_total)) {
		struct rte_mbuf *old = n->held_head;

		if (n->held_bytes > n->sm.params->unres_qlen_bytes)
			neigh_hold_queue_overflow.value++;
		else
			neigh_unres_qlen_total_overflow.value++;
		n->held_head = fp_mbuf_priv(old)->queue_next;
		n->held_bytes -= old->pkt_len;
		n->held_count--;
		held_total--;
		rte_pktmbuf_free(old);
	}
}

static struct rte_mbuf *unhold_all(struct neigh *n)
{
	struct rte_mbuf *head = n->held_head;

	held_total -= n->held_count;
	n->held_head = n->held_tail = NULL;
	n->held_bytes = n->held_count = 0;
	return head;
}

/* Carries out what the state machine asked, for the packet m if any (owned). */
static void neigh_act(struct neigh *n, int actions, struct rte_mbuf *m)
{
	const struct neigh_family *f = family_of(n);
	struct rte_mbuf *q, *next;

	if (actions < 0)
		actions = 0;
	publish_l2(n);
	neigh_event(n);
	if (actions & NEIGH_ACT_SEND_UCAST_PROBE) {
		struct rte_ether_addr dst;

		memcpy(dst.addr_bytes, n->sm.lladdr.bytes, RTE_ETHER_ADDR_LEN);
		solicit(n, &dst);
	}
	if (actions & NEIGH_ACT_SEND_MCAST_PROBE)
		solicit(n, NULL);
	if (m != NULL) {
		if (actions & NEIGH_ACT_TX) {
			send_resolved(n, m);
		} else if (actions & NEIGH_ACT_QUEUE) {
			hold(n, m);
		} else {
			rte_pktmbuf_free(m);
		}
	}
	if (actions & NEIGH_ACT_FLUSH_QUEUE_SEND) {
		for (q = unhold_all(n); q != NULL; q = next) {
			next = fp_mbuf_priv(q)->queue_next;
			send_resolved(n, q);
		}
	}
	if (actions & NEIGH_ACT_FLUSH_QUEUE_UNREACHABLE) {
		/* as Linux's arp_error_report: each held packet's source learns the host is gone */
		for (q = unhold_all(n); q != NULL; q = next) {
			struct fp_mbuf_priv *priv = fp_mbuf_priv(q);

			next = priv->queue_next;
			priv->icmp_type = f->unreach_type;
			priv->icmp_code = f->unreach_code;
			inject(q, f->edge_error);
		}
	}
}

static struct neigh *neigh_create(const struct neigh_key *key)
{
	struct neigh *n = rte_zmalloc("neigh", sizeof(*n), RTE_CACHE_LINE_SIZE);

	if (n == NULL)
		return NULL;
	n->key = *key;
	neigh_sm_init(&n->sm, &family_of(n)->params, control_now_ms());
	if (rte_hash_add_key_data(fp_neigh_hash, key, n) < 0) {
		neigh_table_full.value++;
		rte_free(n);
		return NULL;
	}
	return n;
}

static struct neigh *neigh_find_or_create(const struct neigh_key *key)
{
	struct neigh *n = neigh_lookup_key(key);

	return n != NULL ? n : neigh_create(key);
}

/*
 * Frees the entries for which match() is true, in batches: each batch leaves
 * the hash, then one grace period covers them all (lock-free readers may still
 * hold an entry or its key slot), then they are freed.
 */
static void neigh_destroy_if(bool (*match)(const struct neigh *n, void *arg), void *arg)
{
	struct neigh *batch[256];
	int32_t pos[RTE_DIM(batch)];
	unsigned int n;

	do {
		const void *key;
		void *data;
		uint32_t iter = 0;

		n = 0;
		while (n < RTE_DIM(batch) &&
			rte_hash_iterate(fp_neigh_hash, &key, &data, &iter) >= 0)
			if (match(data, arg))
				batch[n++] = data;
		for (unsigned int i = 0; i < n; i++) {
			struct rte_mbuf *q, *next;

			if (api_event_wanted("neigh"))
				api_event_publish("neigh.del", neigh_to_json(batch[i], true));
			for (q = unhold_all(batch[i]); q != NULL; q = next) {
				next = fp_mbuf_priv(q)->queue_next;
				rte_pktmbuf_free(q);
			}
			pos[i] = rte_hash_del_key(fp_neigh_hash, &batch[i]->key);
		}
		fp_rcu_synchronize();
		for (unsigned int i = 0; i < n; i++) {
			if (pos[i] >= 0)
				rte_hash_free_key_with_position(fp_neigh_hash, pos[i]);
			rte_free(batch[i]);
		}
	} while (n == RTE_DIM(batch));
}

static bool is_entry(const struct neigh *n, void *arg)
{
	return n == arg;
}

struct neigh *neigh_ref_key(const struct neigh_key *key)
{
	struct neigh *n = neigh_find_or_create(key);

	if (n != NULL)
		n->refcnt++;
	return n;
}

void neigh_unref(struct neigh *n)
{
	/* the periodic gc frees it when it is also stale or failed, as Linux does */
	if (n != NULL && n->refcnt > 0)
		n->refcnt--;
}

int neigh_static_add_key(const struct neigh_key *key, const struct rte_ether_addr *mac)
{
	struct neigh *n = neigh_find_or_create(key);
	struct fp_mac lladdr;

	if (n == NULL)
		return fp_error(ENOSPC, "neighbour table full");
	memcpy(lladdr.bytes, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	neigh_act(n, neigh_sm_set_permanent(&n->sm, control_now_ms(), &lladdr), NULL);
	return 0;
}

int neigh_del_key(const struct neigh_key *key)
{
	struct neigh *n = neigh_lookup_key(key);
	struct fp_ip_addr addr = neigh_key_addr(key);
	char a[FP_IP_ADDRSTRLEN];

	if (n == NULL)
		return fp_error(ENOENT, "no neighbour %s on %s", fp_ip_fmt(&addr, a),
			iface_get(key->iface) ? iface_get(key->iface)->name : "?");
	neigh_act(n, neigh_sm_delete(&n->sm, control_now_ms()), NULL);
	if (n->refcnt == 0)
		neigh_destroy_if(is_entry, n);
	return 0;
}

void neigh_learn_key(const struct neigh_key *key, const struct rte_ether_addr *sha,
	enum neigh_state state, bool create, bool garp)
{
	struct neigh *n = create ? neigh_find_or_create(key) : neigh_lookup_key(key);
	int64_t now = control_now_ms();
	struct fp_mac lladdr;
	uint32_t flags;

	if (n == NULL)
		return;
	memcpy(lladdr.bytes, sha->addr_bytes, RTE_ETHER_ADDR_LEN);
	/* a request for our address overrides; other ARP respects locktime (arp_process) */
	flags = create ? NEIGH_UPDATE_F_OVERRIDE : neigh_sm_arp_flags(&n->sm, now, garp);
	neigh_act(n, neigh_sm_update(&n->sm, now, &lladdr, state, flags), NULL);
}

struct neigh *neigh_nd_update(const struct neigh_key *key, const struct rte_ether_addr *lladdr,
	enum neigh_state state, uint32_t flags, bool create, int router)
{
	struct neigh *n = create ? neigh_find_or_create(key) : neigh_lookup_key(key);
	struct fp_mac mac;
	int actions;

	if (n == NULL)
		return NULL;
	if (lladdr != NULL)
		memcpy(mac.bytes, lladdr->addr_bytes, RTE_ETHER_ADDR_LEN);
	actions = neigh_sm_update(&n->sm, control_now_ms(), lladdr ? &mac : NULL, state, flags);
	if (actions != -EPERM && router >= 0)
		n->router = router;
	neigh_act(n, actions, NULL);
	return n;
}

void neigh_output(struct neigh *n, struct rte_mbuf *m)
{
	neigh_act(n, neigh_sm_output(&n->sm, control_now_ms()), m);
}

/*
 * A packet whose next hop has no usable MAC (eth_output_push()): the state machine of the
 * entry of its next hop decides (resolve, hold, send). The entry is found by its key, the
 * address the packet carries: the one the worker saw may have been freed since (deleted, or a
 * FAILED one collected).
 */
static void neigh_resolve_punted(struct rte_mbuf *m)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	const uint8_t *l3 = rte_pktmbuf_mtod(m, const uint8_t *);
	struct neigh_key key;
	struct neigh *n;

	if (iface_get(priv->iface_out) == NULL) {
		rte_pktmbuf_free(m);
		neigh_resolve_no_iface.value++;
		return;
	}
	if ((l3[0] >> 4) == 6)
		key = neigh_key6(priv->iface_out, &priv->nh6);
	else
		key = neigh_key4(priv->iface_out, priv->nh_addr);
	n = neigh_find_or_create(&key);
	if (n == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	neigh_output(n, m);
}

uint32_t neigh_unres_qlen_total_default(void)
{
	return fp_settings.mbufs / 4;
}

void neigh_conf_get(struct neigh_conf *c)
{
	*c = conf;
}

int neigh_conf_set(const struct neigh_conf *c)
{
	int ret = punt_reason_set_rate(neigh_punt_resolve, c->unres_punt_pps);

	if (ret < 0)
		return ret;
	conf = *c;
	for (unsigned int i = 0; i < RTE_DIM(families); i++)
		families[i].params.unres_qlen_bytes = c->unres_qlen_bytes;
	return 0;
}

int neigh_register_resolver(uint8_t family, neigh_resolver_fn fn)
{
	struct neigh_family *f = family_by_af(family);

	if (f == NULL)
		return fp_error(EAFNOSUPPORT, "no neighbour table for address family %u", family);
	f->resolver = fn;
	return 0;
}

int neigh_walk(int (*cb)(const struct neigh *n, void *arg), void *arg)
{
	const void *key;
	void *data;
	uint32_t iter = 0;
	int ret;

	while (fp_neigh_hash != NULL && rte_hash_iterate(fp_neigh_hash, &key, &data, &iter) >= 0)
		if ((ret = cb(data, arg)) != 0)
			return ret;
	return 0;
}

/* neigh_periodic_work(): unreferenced entries that failed or went unused. */
static bool expired(const struct neigh *n, void *arg)
{
	return neigh_sm_gc_expired(
		&n->sm, *(const int64_t *)arg, n->refcnt > 0 || n->held_count > 0);
}

void neigh_periodic(int64_t now)
{
	const void *key;
	void *data;
	uint32_t iter = 0;

	if ((uint64_t)now - params_drawn_ms >= NEIGH_RAND_INTERVAL_MS) {
		for (unsigned int i = 0; i < RTE_DIM(families); i++)
			families[i].params.reachable_time = neigh_rand_reach_time(
				families[i].params.base_reachable_time, rte_rand());
		params_drawn_ms = now;
	}
	while (rte_hash_iterate(fp_neigh_hash, &key, &data, &iter) >= 0) {
		struct neigh *n = data;
		int64_t used = __atomic_load_n(&n->used_ms, __ATOMIC_RELAXED);

		if (used > n->sm.used) {
			if (n->sm.state == NEIGH_STALE)
				neigh_act(n, neigh_sm_output(&n->sm, used), NULL);
			else
				neigh_sm_mark_used(&n->sm, used);
		}
		if (n->sm.timer_deadline != 0 && now >= n->sm.timer_deadline)
			neigh_act(n, neigh_sm_timer(&n->sm, now), NULL);
	}
	/* as Linux's neigh_periodic_work, every base_reachable_time / 2 (both tables' is 30 s) */
	if (now - gc_last_ms >= families[0].params.base_reachable_time / 2) {
		gc_last_ms = now;
		neigh_destroy_if(expired, &now);
	}
}

/* Timers, STALE entries used by the datapath (-> DELAY), and garbage collection. */
static void neigh_scan(void *arg)
{
	(void)arg;
	neigh_periodic(control_now_ms());
}

static bool on_iface(const struct neigh *n, void *arg)
{
	return n->key.iface == ((const struct iface *)arg)->id;
}

static bool every(const struct neigh *n, void *arg)
{
	(void)n;
	(void)arg;
	return true;
}

static void neigh_iface_removing(struct iface *iface)
{
	neigh_destroy_if(on_iface, iface);
}

static struct iface_listener neigh_listener = {.order = 30, .removing = neigh_iface_removing};

static int neigh_init(void)
{
	struct rte_hash_parameters hp = {
		.name = "neigh",
		.entries = NEIGH_MAX,
		.key_len = sizeof(struct neigh_key),
		.hash_func = neigh_key_hash,
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	int ret;

	params_drawn_ms = control_now_ms();
	fp_neigh_hash = rte_hash_create(&hp);
	if (fp_neigh_hash == NULL)
		return fp_error(ENOMEM, "neighbour table: %s", rte_strerror(rte_errno));
	for (unsigned int i = 0; i < RTE_DIM(families); i++) {
		struct neigh_family *f = &families[i];

		neigh_params_init(&f->params, rte_rand());
		f->params.locktime = f->locktime;
		f->edge_error = -1;
		/* a build without a family's error node drops its held packets on failure */
		if (rte_node_from_name(f->error_node) != RTE_NODE_ID_INVALID &&
			(ret = f->edge_error = punt_inject_edge(f->error_node)) < 0)
			return ret;
	}
	/* the same for both tables */
	conf = (struct neigh_conf){
		.unres_qlen_bytes = NEIGH_UNRES_QLEN_BYTES,
		.unres_qlen_total = neigh_unres_qlen_total_default(),
		.unres_punt_pps = PUNT_PPS_DEFAULT,
	};
	if ((ret = neigh_punt_resolve = punt_reason_register("neigh_resolve", neigh_resolve_punted,
		     conf.unres_punt_pps, "neigh_resolve_rate_limited")) < 0 ||
		(ret = edge_port_tx = punt_inject_edge("port_tx")) < 0)
		return ret;
	iface_listener_register(&neigh_listener);
	return control_timer_add("neigh", NEIGH_SCAN_MS, neigh_scan, NULL);
}

static void neigh_fini(void)
{
	if (fp_neigh_hash != NULL)
		neigh_destroy_if(every, NULL);
	rte_hash_free(fp_neigh_hash);
	fp_neigh_hash = NULL;
}

static struct fp_module neigh_module = {
	.name = "neigh",
	.order = 15, /* before fib4, which takes references on gateways */
	.init = neigh_init,
	.fini = neigh_fini,
};
FP_MODULE_REGISTER(neigh_module)

json_t *neigh_to_json(const struct neigh *n, bool config)
{
	struct fp_ip_addr addr = neigh_key_addr(&n->key);
	char a[FP_IP_ADDRSTRLEN], m[FP_MAC_STRLEN];
	json_t *o = json_pack("{s:s, s:s}", "iface", iface_get(n->key.iface)->name, "address",
		fp_ip_fmt(&addr, a));

	if (n->sm.state & NEIGH_VALID)
		json_object_set_new(o, "mac", json_string(fp_mac_fmt(&n->sm.lladdr, m)));
	if (config)
		return o;
	json_object_set_new(o, "state", json_string(neigh_state_name(n->sm.state)));
	json_object_set_new(o, "static", json_boolean(n->sm.state == NEIGH_PERMANENT));
	if (n->key.family == AF_INET6)
		json_object_set_new(o, "router", json_boolean(n->router));
	json_object_set_new(o, "probes", json_integer(n->sm.probes));
	json_object_set_new(o, "held_packets", json_integer(n->held_count));
	json_object_set_new(o, "refs", json_integer(n->refcnt));
	json_object_set_new(
		o, "updated_ms_ago", json_integer((json_int_t)control_now_ms() - n->sm.updated));
	return o;
}
