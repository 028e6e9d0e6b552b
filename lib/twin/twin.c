/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel twins (twin.h): one TAP device per interface, opened through /dev/net/tun by the control
 * thread, which owns its file descriptor. Not persistent: the TAP goes when the descriptor is
 * closed, with the interface or the daemon. Config file:
 *
 *   "twins": {"enabled": true, "prefix": "", "rate_limit_pps": 10000}
 *
 * A twin is named prefix + the interface's name.
 */
#include "twin.h"
#include "api/api.h"
#include "base/counter.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "base/module.h"
#include "base/token_bucket.h"
#include "config/config.h"
#include "graph/dispatch.h"
#include "graph/graph.h"
#include "graph/punt.h"
#include "infra/control.h"
#include "infra/netdev.h"
#include "infra/port.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <net/if_arp.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>

/* Frames read from one twin per wakeup: the others, and the API, get their turn. */
#define TWIN_READ_BURST 32
/* Segments of a frame written up a twin; ports receive single-segment frames today. */
/*
 * Segments of a frame up the twin (writev's iovecs): a reassembled datagram is one a fragment,
 * a 64 KiB one in 1280-byte fragments 52
 */
#define TWIN_MAX_SEGS 64
/* mbufs of a frame from the kernel: 9018 bytes in 2048-byte buffers, jumbo frames to 16 KiB */
#define TWIN_READ_SEGS 8

/* Drop reasons of the twins, counted per twin and in the drop counters of stats.show. */
enum twin_drop {
	TWIN_DROP_NO_TWIN,	   /* punted for an interface that has no twin (any more) */
	TWIN_DROP_NO_L2_HEADER,	   /* its Ethernet header is not in front of it */
	TWIN_DROP_TOO_MANY_SEGS,   /* more than TWIN_MAX_SEGS segments */
	TWIN_DROP_KERNEL_BUSY,	   /* the kernel had no buffer for it (ENOBUFS, ENOMEM, EAGAIN) */
	TWIN_DROP_WRITE_ERROR,	   /* any other write error */
	TWIN_DROP_FRAME_TOO_BIG,   /* from the kernel, over the twin's MTU (twin_mtu()) */
	TWIN_DROP_FRAME_TRUNCATED, /* from the kernel, shorter than an Ethernet header */
	TWIN_DROP_NOMBUF,	   /* from the kernel, no mbuf to copy it into */
	TWIN_DROP_INJECT_FULL,	   /* from the kernel, the worker's inject ring is full */
	TWIN_DROPS,
};

static struct fp_counter twin_drops[TWIN_DROPS] = {
	[TWIN_DROP_NO_TWIN] = {.name = "twin_none"},
	[TWIN_DROP_NO_L2_HEADER] = {.name = "twin_no_l2_header"},
	[TWIN_DROP_TOO_MANY_SEGS] = {.name = "twin_too_many_segments"},
	[TWIN_DROP_KERNEL_BUSY] = {.name = "twin_kernel_busy"},
	[TWIN_DROP_WRITE_ERROR] = {.name = "twin_write_error"},
	[TWIN_DROP_FRAME_TOO_BIG] = {.name = "twin_frame_too_big"},
	[TWIN_DROP_FRAME_TRUNCATED] = {.name = "twin_frame_truncated"},
	[TWIN_DROP_NOMBUF] = {.name = "twin_nombuf"},
	[TWIN_DROP_INJECT_FULL] = {.name = "twin_inject_ring_full"},
};

static void __attribute__((constructor)) twin_counters_register(void)
{
	for (unsigned int i = 0; i < TWIN_DROPS; i++)
		fp_counter_register(&twin_drops[i]);
}

/* Packets a second each worker sends up the twins by default; 0 in the config: no limit. */
#define TWIN_RATE_LIMIT_PPS 10000
#define TWIN_RATE_LIMIT_MAX FP_BUCKET_PPS_MAX

struct twin_conf {
	bool enabled;
	char prefix[IFNAMSIZ];
	uint32_t rate_limit_pps;
};

struct twin {
	int fd; /* -1: none */
	int ifindex;
	bool carrier;
	char name[IFNAMSIZ];
	char error[160]; /* why the interface has no twin, "" if it has one or none is wanted */
	uint64_t to_kernel_packets, to_kernel_bytes;
	uint64_t from_kernel_packets, from_kernel_bytes;
	uint64_t drops[TWIN_DROPS];
};

int twin_punt_reason = -1;
bool twin_present[FP_MAX_IFACES];
static int edge_port_tx;
static struct twin_conf conf = {.enabled = true, .rate_limit_pps = TWIN_RATE_LIMIT_PPS};
/* conf.rate_limit_pps for the workers */
static uint32_t twin_rate_limit_pps = TWIN_RATE_LIMIT_PPS;
static struct twin twins[FP_MAX_IFACES] = {[0 ... FP_MAX_IFACES - 1] = {.fd = -1}};
static struct twin_listener *listeners;

static void twin_drop(struct twin *t, enum twin_drop reason)
{
	twin_drops[reason].value++;
	if (t != NULL)
		t->drops[reason]++;
}

bool twins_enabled(void)
{
	return conf.enabled;
}

int twin_ifindex(uint16_t iface)
{
	return iface < FP_MAX_IFACES && twins[iface].fd >= 0 ? twins[iface].ifindex : 0;
}

uint16_t twin_iface_of(int ifindex)
{
	for (uint16_t i = 0; ifindex > 0 && i < FP_MAX_IFACES; i++)
		if (twins[i].fd >= 0 && twins[i].ifindex == ifindex)
			return i;
	return FP_IFACE_NONE;
}

void twin_listener_register(struct twin_listener *l)
{
	struct twin_listener **p = &listeners;

	while (*p != NULL)
		p = &(*p)->next;
	l->next = NULL;
	*p = l;
}

/* No character Linux's dev_valid_name() refuses. */
static bool kernel_name_chars_valid(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

/* What Linux's dev_valid_name() accepts. */
static bool kernel_name_valid(const char *name)
{
	return name[0] != '\0' && strlen(name) < IFNAMSIZ && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0 && kernel_name_chars_valid(name);
}

static void twin_set_carrier(uint16_t iface, bool up)
{
	struct twin *t = &twins[iface];
	int carrier = up;

	if (t->fd < 0 || t->carrier == up)
		return;
	if (ioctl(t->fd, TUNSETCARRIER, &carrier) < 0) {
		LOG(ERR, "twin %s: carrier %s: %s", t->name, up ? "on" : "off", strerror(errno));
		return;
	}
	t->carrier = up;
}

static void twin_readable(int fd, uint32_t events, void *arg);

/* The TAP with the interface's MAC and MTU, up. 0 or <0 with fp_error. */
static int tap_create(struct twin *t, const struct iface *iface)
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	const char *step;
	int ret;

	/* TUNSETIFF would take a TAP left there, and refuse any other device with a bare EINVAL */
	if (if_nametoindex(t->name) != 0)
		return fp_error(EEXIST,
			"twin %s: the kernel has an interface of that name (a port named after its "
			"netdev? set a twin prefix)",
			t->name);
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0)
		return fp_error(errno, "/dev/net/tun: %s", strerror(errno));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	step = "create";
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		goto err;
	}
	step = "MAC address";
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, &iface->mac, RTE_ETHER_ADDR_LEN);
	if ((ret = netdev_ioctl(SIOCSIFHWADDR, &ifr)) < 0)
		goto err;
	step = "MTU";
	ifr.ifr_mtu = twin_mtu(iface);
	if ((ret = netdev_ioctl(SIOCSIFMTU, &ifr)) < 0)
		goto err;
	step = "ifindex";
	if ((ret = netdev_ioctl(SIOCGIFINDEX, &ifr)) < 0)
		goto err;
	t->ifindex = ifr.ifr_ifindex;
	/* a TAP's carrier is on from the start; off until the port's link is up */
	t->carrier = true;
	twin_set_carrier(iface->id, iface->link_up);
	step = "up";
	if ((ret = netdev_ioctl(SIOCGIFFLAGS, &ifr)) < 0)
		goto err;
	ifr.ifr_flags |= IFF_UP;
	if ((ret = netdev_ioctl(SIOCSIFFLAGS, &ifr)) < 0)
		goto err;
	step = "poll";
	if ((ret = control_fd_add(t->fd, EPOLLIN, twin_readable, (void *)(uintptr_t)iface->id)) < 0)
		goto err;
	return 0;
err:
	close(t->fd);
	t->fd = -1;
	return fp_error(ret, "twin %s: %s: %s", t->name, step, strerror(-ret));
}

static void twin_create(struct iface *iface)
{
	struct twin *t = &twins[iface->id];
	char name[sizeof(conf.prefix) + FP_IFACE_NAMESIZE];

	*t = (struct twin){.fd = -1};
	if (!conf.enabled)
		return;
	snprintf(name, sizeof(name), "%s%s", conf.prefix, iface->name);
	if (!kernel_name_valid(name)) {
		snprintf(
			t->error, sizeof(t->error), "'%s' is no valid kernel interface name", name);
		LOG(ERR, "interface %s has no twin: %s", iface->name, t->error);
		return;
	}
	memcpy(t->name, name, sizeof(t->name));
	if (tap_create(t, iface) < 0) {
		snprintf(t->error, sizeof(t->error), "%s", fp_errmsg());
		LOG(ERR, "interface %s has no twin: %s", iface->name, t->error);
		return;
	}
	__atomic_store_n(&twin_present[iface->id], true, __ATOMIC_RELEASE);
	LOG(INFO, "interface %s: twin %s, ifindex %d", iface->name, t->name, t->ifindex);
	for (struct twin_listener *l = listeners; l != NULL; l = l->next)
		l->created(iface->id, t->ifindex);
}

/* Closes iface's TAP, if it has one, which the kernel then deletes. */
static void twin_close(uint16_t iface)
{
	struct twin *t = &twins[iface];

	if (t->fd < 0)
		return;
	for (struct twin_listener *l = listeners; l != NULL; l = l->next)
		if (l->removing != NULL)
			l->removing(iface, t->ifindex);
	/* a packet punted meanwhile finds no twin: counted as twin_none */
	__atomic_store_n(&twin_present[iface], false, __ATOMIC_RELEASE);
	control_fd_del(t->fd);
	close(t->fd);
	t->fd = -1;
}

static void twin_remove(struct iface *iface)
{
	twin_close(iface->id);
	twins[iface->id] = (struct twin){.fd = -1};
}

static void twin_link_changed(struct iface *iface)
{
	twin_set_carrier(iface->id, iface->link_up);
}

/* ip link set mtu: the kernel sends what the port now takes */
static void twin_mtu_changed(struct iface *iface)
{
	struct twin *t = &twins[iface->id];
	struct ifreq ifr = {.ifr_mtu = twin_mtu(iface)};
	int ret;

	if (t->fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	if ((ret = netdev_ioctl(SIOCSIFMTU, &ifr)) < 0)
		LOG(ERR, "twin %s: MTU %d: %s", t->name, ifr.ifr_mtu, strerror(-ret));
}

/* Kernel -> port: the frames the kernel sent out of the twin leave through the interface. */
uint16_t twin_mtu(const struct iface *iface)
{
	if (iface->port_id < RTE_MAX_ETHPORTS && port_tx_multi_segs(iface->port_id))
		return RTE_MIN(iface->mtu,
			(uint16_t)(TWIN_READ_SEGS *
					   (RTE_MBUF_DEFAULT_DATAROOM - RTE_PKTMBUF_HEADROOM) -
				   RTE_ETHER_HDR_LEN - RTE_VLAN_HLEN));
	return RTE_MIN(iface->mtu, (uint16_t)TWIN_MTU_MAX);
}

/*
 * The mbufs for a frame of at most max bytes from the kernel, chained, their room in iov; the
 * count, 0 if the pool is empty.
 */
static unsigned int frame_buffers(
	struct rte_mempool *pool, uint32_t max, struct rte_mbuf **segs, struct iovec *iov)
{
	unsigned int n = 0;

	for (uint32_t room = 0; room < max && n < TWIN_READ_SEGS; n++) {
		if ((segs[n] = rte_pktmbuf_alloc(pool)) == NULL) {
			rte_pktmbuf_free_bulk(segs, n);
			return 0;
		}
		iov[n] = (struct iovec){
			.iov_base = rte_pktmbuf_mtod(segs[n], void *),
			.iov_len = rte_pktmbuf_tailroom(segs[n]),
		};
		room += iov[n].iov_len;
	}
	return n;
}

/* The n segments a frame of len bytes filled, chained; those it did not need freed. */
static struct rte_mbuf *frame_chain(
	struct rte_mbuf **segs, const struct iovec *iov, unsigned int n, uint32_t len)
{
	struct rte_mbuf *m = segs[0];
	unsigned int used = 0;

	m->pkt_len = len;
	for (uint32_t left = len; left > 0 || used == 0; used++) {
		segs[used]->data_len = RTE_MIN(left, (uint32_t)iov[used].iov_len);
		left -= segs[used]->data_len;
		if (used > 0)
			segs[used - 1]->next = segs[used];
	}
	m->nb_segs = used;
	rte_pktmbuf_free_bulk(&segs[used], n - used);
	return m;
}

/* Kernel -> port: what the kernel sends out of a twin, a chain if it needs more than one mbuf. */
static void twin_readable(int fd, uint32_t events, void *arg)
{
	uint16_t id = (uintptr_t)arg;
	const struct iface *iface = iface_get(id);
	struct twin *t = &twins[id];
	/* without a pool the frames are read all the same (and dropped): level-triggered epoll
	 * would call again at once for what is left */
	struct rte_mempool *pool =
		iface != NULL ? port_mempool(rte_eth_dev_socket_id(iface->port_id)) : NULL;
	uint32_t max = iface != NULL ? twin_mtu(iface) + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN : 0;

	(void)events;
	for (unsigned int i = 0; i < TWIN_READ_BURST; i++) {
		struct rte_mbuf *segs[TWIN_READ_SEGS], *m;
		struct iovec iov[TWIN_READ_SEGS];
		unsigned int n_segs = pool != NULL ? frame_buffers(pool, max, segs, iov) : 0;
		uint32_t room = 0;
		uint8_t discard;
		ssize_t n;

		for (unsigned int s = 0; s < n_segs; s++)
			room += iov[s].iov_len;
		/* without an mbuf the frame is read all the same, into a byte: a TAP truncates what
		 * does not fit and returns the frame's length */
		if (n_segs == 0)
			n = read(fd, &discard, 1);
		else
			n = readv(fd, iov, n_segs);
		if (n < 0) {
			if (n_segs > 0)
				rte_pktmbuf_free_bulk(segs, n_segs);
			if (errno == EAGAIN || errno == EINTR)
				return;
			/* deleted under us (ip link del): it stays failed until made again */
			snprintf(t->error, sizeof(t->error), "lost: %s", strerror(errno));
			LOG(ERR, "twin %s %s", t->name, t->error);
			twin_close(id);
			return;
		}
		if (n_segs == 0) {
			twin_drop(t, TWIN_DROP_NOMBUF);
			continue;
		}
		if (n < RTE_ETHER_HDR_LEN || n > room || n > max) {
			twin_drop(t, n < RTE_ETHER_HDR_LEN ? TWIN_DROP_FRAME_TRUNCATED
							   : TWIN_DROP_FRAME_TOO_BIG);
			rte_pktmbuf_free_bulk(segs, n_segs);
			continue;
		}
		m = frame_chain(segs, iov, n_segs, n);
		*fp_mbuf_priv(m) = (struct fp_mbuf_priv){.iface_out = id};
		if (punt_inject(m, edge_port_tx) < 0) {
			twin_drop(t, TWIN_DROP_INJECT_FULL);
			continue;
		}
		t->from_kernel_packets++;
		t->from_kernel_bytes += n;
	}
}

static struct twin *twin_of_packet(const struct rte_mbuf *m)
{
	uint16_t iface = fp_mbuf_priv((struct rte_mbuf *)m)->iface_in;

	return iface < FP_MAX_IFACES && twins[iface].fd >= 0 ? &twins[iface] : NULL;
}

/* The frame of m up twin t. */
static void twin_write(struct twin *t, const struct rte_mbuf *m)
{
	const struct fp_mbuf_priv *priv = fp_mbuf_priv((struct rte_mbuf *)m);
	struct iovec iov[TWIN_MAX_SEGS];
	uint16_t l2 = 0, n = 0;
	ssize_t sent;

	/* the nodes after eth_input see the packet from its IP header: the Ethernet header
	 * eth_input stepped over is still right in front of it */
	if (priv->flags & FP_MBUF_AT_L3) {
		if (!(priv->flags & FP_MBUF_L2_KEPT) ||
			rte_pktmbuf_headroom(m) < RTE_ETHER_HDR_LEN) {
			twin_drop(t, TWIN_DROP_NO_L2_HEADER);
			return;
		}
		l2 = RTE_ETHER_HDR_LEN;
	}
	if (m->nb_segs > TWIN_MAX_SEGS) {
		twin_drop(t, TWIN_DROP_TOO_MANY_SEGS);
		return;
	}
	for (const struct rte_mbuf *s = m; s != NULL; s = s->next, n++)
		iov[n] = (struct iovec){
			.iov_base = rte_pktmbuf_mtod(s, uint8_t *) - (n == 0 ? l2 : 0),
			.iov_len = s->data_len + (n == 0 ? l2 : 0),
		};
	sent = writev(t->fd, iov, n);
	if (sent < 0) {
		twin_drop(t, errno == EAGAIN || errno == ENOBUFS || errno == ENOMEM
				     ? TWIN_DROP_KERNEL_BUSY
				     : TWIN_DROP_WRITE_ERROR);
		return;
	}
	t->to_kernel_packets++;
	t->to_kernel_bytes += sent;
}

void twin_copy_up(const struct rte_mbuf *m)
{
	struct twin *t = twin_of_packet(m);

	if (t != NULL)
		twin_write(t, m);
}

/* Port -> kernel: the punt reason's handler. */
static void twin_punted(struct rte_mbuf *m)
{
	struct twin *t = twin_of_packet(m);

	if (t != NULL)
		twin_write(t, m);
	else
		twin_drop(NULL, TWIN_DROP_NO_TWIN);
	rte_pktmbuf_free(m);
}

static void twins_create_all(void)
{
	for (unsigned int i = 0; i < FP_MAX_IFACES; i++)
		if (fp_ifaces[i] != NULL)
			twin_create(fp_ifaces[i]);
}

static void twins_remove_all(void)
{
	for (unsigned int i = 0; i < FP_MAX_IFACES; i++)
		if (fp_ifaces[i] != NULL)
			twin_remove(fp_ifaces[i]);
}

/* TWIN_NODE: a token bucket per worker (the node's context, one per graph). */
static_assert(sizeof(struct fp_bucket) <= RTE_NODE_CTX_SZ, "fp_bucket fits a node context");

enum {
	TWIN_OUTPUT_PUNT,
	TWIN_OUTPUT_RATE_LIMITED,
	TWIN_OUTPUT_EDGES,
};

static int twin_output_init(const struct rte_graph *graph, struct rte_node *node)
{
	(void)graph;
	fp_bucket_init((struct fp_bucket *)node->ctx);
	return 0;
}

static uint16_t twin_output_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct fp_bucket *b = (struct fp_bucket *)node->ctx;
	uint32_t pps = __atomic_load_n(&twin_rate_limit_pps, __ATOMIC_RELAXED);
	uint16_t allowed = n;

	for (uint16_t i = 0; i < n; i++)
		fp_mbuf_priv(objs[i])->punt_reason = twin_punt_reason;
	if (pps != 0) {
		fp_bucket_refill(b, pps, rte_rdtsc());
		allowed = RTE_MIN((uint32_t)n, b->tokens);
		b->tokens -= allowed;
	}
	rte_node_enqueue(graph, node, TWIN_OUTPUT_PUNT, objs, allowed);
	if (allowed < n)
		rte_node_enqueue(
			graph, node, TWIN_OUTPUT_RATE_LIMITED, &objs[allowed], n - allowed);
	return n;
}

static struct rte_node_register twin_output_node = {
	.name = TWIN_NODE,
	.init = twin_output_init,
	.process = twin_output_process,
	.nb_edges = TWIN_OUTPUT_EDGES,
	.next_nodes =
		{
			[TWIN_OUTPUT_PUNT] = PUNT_NODE,
			[TWIN_OUTPUT_RATE_LIMITED] = "twin_rate_limited",
		},
};
FP_NODE_REGISTER(twin_output_node)
FP_DROP_NODE(twin_rate_limited)

static bool twin_takes(uint16_t iface)
{
	return iface_has_twin(iface);
}

/*
 * The twins are local delivery's fallback (graph/dispatch.h), the kernel's socket layer after
 * the INPUT hook: what the IPv4 and IPv6 nodes do not answer themselves goes up the input
 * interface's twin when it has one; docs/kernel-twins.md says why not an INPUT hook feature.
 */
static const struct fp_local_fallback twin_fallback = {
	.node = TWIN_NODE,
	.takes = twin_takes,
	.copy = twin_copy_up,
};
FP_LOCAL_FALLBACK_REGISTER(twin_fallback)

/* The twins follow a new configuration: all made again under their new names, or none. */
static void twins_configure(const struct twin_conf *c)
{
	__atomic_store_n(&twin_rate_limit_pps, c->rate_limit_pps, __ATOMIC_RELAXED);
	if (c->enabled == conf.enabled && strcmp(c->prefix, conf.prefix) == 0) {
		conf.rate_limit_pps = c->rate_limit_pps;
		return;
	}
	twins_remove_all();
	conf = *c;
	twins_create_all();
}

/* The twin name prefix + name of the port or interface called name (what: "port", ...). */
static int check_twin_name(
	struct cfg_ctx *ctx, const char *prefix, const char *name, const char *what)
{
	char joined[2 * IFNAMSIZ];

	if (strlen(prefix) + strlen(name) >= IFNAMSIZ)
		return cfg_err(ctx, EINVAL,
			"twin name '%s%s' of %s '%s' is longer than %d characters", prefix, name,
			what, name, IFNAMSIZ - 1);
	snprintf(joined, sizeof(joined), "%s%s", prefix, name);
	if (!kernel_name_valid(joined))
		return cfg_err(ctx, EINVAL,
			"twin name '%s' of %s '%s' is no kernel interface name (no '/', ':', "
			"blank, '.' or '..')",
			joined, what, name);
	return 0;
}

/*
 * Every twin name the prefix makes must be a kernel interface name: those of the document's
 * ports, or of the running interfaces when the document does not list ports.
 */
static int check_twin_names(struct cfg_ctx *ctx, const char *prefix)
{
	const json_t *ports = ctx->doc ? json_object_get(cfg_doc_root(ctx->doc), "ports") : NULL;
	const json_t *port;
	size_t i;
	int ret;

	if (!kernel_name_chars_valid(prefix))
		return cfg_err(ctx, EINVAL,
			"'%s' cannot start kernel interface names (no '/', ':' or blank)", prefix);
	if (json_is_array(ports)) {
		json_array_foreach (ports, i, port) {
			const char *name = json_string_value(json_object_get(port, "name"));

			/* a port without a name is the ports section's error */
			if (name != NULL && (ret = check_twin_name(ctx, prefix, name, "port")) < 0)
				return ret;
		}
		return 0;
	}
	for (unsigned int k = 0; k < FP_MAX_IFACES; k++)
		if (fp_ifaces[k] != NULL &&
			(ret = check_twin_name(ctx, prefix, fp_ifaces[k]->name, "interface")) < 0)
			return ret;
	return 0;
}

static int twins_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	static const char *const keys[] = {"enabled", "prefix", "rate_limit_pps", NULL};
	struct twin_conf c = {.enabled = true, .rate_limit_pps = TWIN_RATE_LIMIT_PPS};
	uint64_t pps = TWIN_RATE_LIMIT_PPS;
	const char *prefix = "";
	int ret;

	if ((ret = cfg_check_type(ctx, value, JSON_OBJECT)) < 0 ||
		(ret = cfg_check_keys(ctx, value, keys)) < 0 ||
		(ret = cfg_get_bool(ctx, value, "enabled", false, &c.enabled)) < 0 ||
		(ret = cfg_get_string(ctx, value, "prefix", false, &prefix)) < 0 ||
		(ret = cfg_get_uint(
			 ctx, value, "rate_limit_pps", false, 0, TWIN_RATE_LIMIT_MAX, &pps)) < 0)
		return ret;
	c.rate_limit_pps = pps;
	cfg_push_key(ctx, "prefix");
	if (strlen(prefix) >= IFNAMSIZ - 1)
		ret = cfg_err(ctx, EINVAL, "a twin prefix has at most %d characters", IFNAMSIZ - 2);
	else if (c.enabled)
		ret = check_twin_names(ctx, prefix);
	cfg_pop(ctx);
	if (ret < 0)
		return ret;
	snprintf(c.prefix, sizeof(c.prefix), "%s", prefix);
	*parsed = malloc(sizeof(c));
	if (*parsed == NULL)
		return fp_error(ENOMEM, "out of memory");
	memcpy(*parsed, &c, sizeof(c));
	return 0;
}

static int twins_apply(void *parsed)
{
	twins_configure(parsed);
	return 0;
}

static json_t *twins_dump(void)
{
	return json_pack("{s:b, s:s, s:I}", "enabled", conf.enabled, "prefix", conf.prefix,
		"rate_limit_pps", (json_int_t)conf.rate_limit_pps);
}

static struct cfg_section twins_section = {
	.key = "twins",
	.order = 5, /* before the ports, which get their twins as they come */
	.parse = twins_parse,
	.apply = twins_apply,
	.free = free,
	.dump = twins_dump,
};
CFG_SECTION_REGISTER(twins_section)

static json_t *twin_to_json(const struct iface *iface, const struct twin *t)
{
	json_t *drops = json_object();
	uint64_t dropped = 0;
	json_t *o;

	for (unsigned int r = 0; r < TWIN_DROPS; r++) {
		json_object_set_new(drops, twin_drops[r].name, json_integer(t->drops[r]));
		dropped += t->drops[r];
	}
	o = json_pack("{s:s, s:s, s:i, s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "iface",
		iface->name, "name", t->name, "ifindex", t->fd >= 0 ? t->ifindex : 0, "mtu",
		twin_mtu(iface), "state",
		t->fd < 0    ? "failed"
		: t->carrier ? "up"
			     : "no-carrier",
		"to_kernel_packets", (json_int_t)t->to_kernel_packets, "to_kernel_bytes",
		(json_int_t)t->to_kernel_bytes, "from_kernel_packets",
		(json_int_t)t->from_kernel_packets, "from_kernel_bytes",
		(json_int_t)t->from_kernel_bytes, "dropped", (json_int_t)dropped, "drops", drops);
	if (t->fd < 0)
		json_object_set_new(o, "error", json_string(t->error));
	return o;
}

static int api_twin_list(const json_t *args, json_t **result)
{
	json_t *list = json_array();

	(void)args;
	for (unsigned int i = 0; conf.enabled && i < FP_MAX_IFACES; i++)
		if (fp_ifaces[i] != NULL)
			json_array_append_new(list, twin_to_json(fp_ifaces[i], &twins[i]));
	*result = json_pack("{s:b, s:s, s:I, s:o}", "enabled", conf.enabled, "prefix", conf.prefix,
		"rate_limit_pps", (json_int_t)conf.rate_limit_pps, "twins", list);
	return 0;
}

API_COMMAND(twin_list_cmd, "twin.list",
	"the kernel twins (TAP devices) of the interfaces, with their counters", api_twin_list,
	API_NO_ARGS)

static struct iface_listener twin_iface_listener = {
	/* last: what the other subsystems tear down of an interface, they tear down with its
	 * twin still there */
	.order = 50,
	.added = twin_create,
	.removing = twin_remove,
	.link_changed = twin_link_changed,
	.mtu_changed = twin_mtu_changed,
};

static int twin_init(void)
{
	int ret;

	if ((ret = twin_punt_reason = punt_reason_register("twin", twin_punted, 0, NULL)) < 0 ||
		(ret = edge_port_tx = punt_inject_edge("port_tx")) < 0)
		return ret;
	iface_listener_register(&twin_iface_listener);
	return 0;
}

static struct fp_module twin_module = {
	.name = "twin",
	.order = 17,
	.init = twin_init,
};
FP_MODULE_REGISTER(twin_module)
