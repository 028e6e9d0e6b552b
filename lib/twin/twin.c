/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel twins (twin.h): one TAP device per interface, opened through /dev/net/tun by the control
 * thread, which owns its file descriptor. Not persistent: the TAP goes when the descriptor is
 * closed, with the interface or the daemon. Config file:
 *
 *   "twins": {"enabled": true, "prefix": ""}
 *
 * A twin is named prefix + the interface's name.
 */
#include "twin.h"
#include "api/api.h"
#include "config/config.h"
#include "infra/control.h"
#include "infra/counter.h"
#include "infra/fp_error.h"
#include "infra/log.h"
#include "infra/module.h"
#include "infra/port.h"
#include "infra/punt.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <net/if_arp.h>
#include <rte_ethdev.h>

/* Frames read from one twin per wakeup: the others, and the API, get their turn. */
#define TWIN_READ_BURST 32
/* Segments of a frame written up a twin; ports receive single-segment frames today. */
#define TWIN_MAX_SEGS 8

/* Drop reasons of the twins, counted per twin and in the drop counters of stats.show. */
enum twin_drop {
	TWIN_DROP_NO_TWIN,	   /* punted for an interface that has no twin (any more) */
	TWIN_DROP_NO_L2_HEADER,	   /* its Ethernet header is not in front of it */
	TWIN_DROP_TOO_MANY_SEGS,   /* more than TWIN_MAX_SEGS segments */
	TWIN_DROP_KERNEL_BUSY,	   /* the write would block (EAGAIN, ENOBUFS) */
	TWIN_DROP_WRITE_ERROR,	   /* any other write error */
	TWIN_DROP_FRAME_TOO_BIG,   /* from the kernel, over the port's MTU or an mbuf */
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

struct twin_conf {
	bool enabled;
	char prefix[IFNAMSIZ];
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
static int twin_reason = -1; /* registered once; twin_punt_reason while twins are on */
static int edge_port_tx;
static struct twin_conf conf = {.enabled = true};
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

/* A link-level ioctl on the twin through a throwaway socket, as ip link does. */
static int link_ioctl(unsigned long request, struct ifreq *ifr)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (sock < 0)
		return -errno;
	if (ioctl(sock, request, ifr) < 0)
		ret = -errno;
	close(sock);
	return ret;
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
	if ((ret = link_ioctl(SIOCSIFHWADDR, &ifr)) < 0)
		goto err;
	step = "MTU";
	ifr.ifr_mtu = iface->mtu;
	if ((ret = link_ioctl(SIOCSIFMTU, &ifr)) < 0)
		goto err;
	step = "ifindex";
	if ((ret = link_ioctl(SIOCGIFINDEX, &ifr)) < 0)
		goto err;
	t->ifindex = ifr.ifr_ifindex;
	/* a TAP's carrier is on from the start; off until the port's link is up */
	t->carrier = true;
	twin_set_carrier(iface->id, iface->link_up);
	step = "up";
	if ((ret = link_ioctl(SIOCGIFFLAGS, &ifr)) < 0)
		goto err;
	ifr.ifr_flags |= IFF_UP;
	if ((ret = link_ioctl(SIOCSIFFLAGS, &ifr)) < 0)
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

static void twin_remove(struct iface *iface)
{
	struct twin *t = &twins[iface->id];

	if (t->fd >= 0) {
		for (struct twin_listener *l = listeners; l != NULL; l = l->next)
			if (l->removing != NULL)
				l->removing(iface->id, t->ifindex);
		/* a packet punted meanwhile finds no twin: counted as twin_none */
		__atomic_store_n(&twin_present[iface->id], false, __ATOMIC_RELEASE);
		control_fd_del(t->fd);
		close(t->fd);
	}
	*t = (struct twin){.fd = -1};
}

static void twin_link_changed(struct iface *iface)
{
	twin_set_carrier(iface->id, iface->link_up);
}

/* Kernel -> port: the frames the kernel sent out of the twin leave through the interface. */
static void twin_readable(int fd, uint32_t events, void *arg)
{
	uint16_t id = (uintptr_t)arg;
	const struct iface *iface = iface_get(id);
	struct twin *t = &twins[id];
	struct rte_mempool *pool;

	(void)events;
	if (iface == NULL || (pool = port_mempool(rte_eth_dev_socket_id(iface->port_id))) == NULL)
		return;
	for (unsigned int i = 0; i < TWIN_READ_BURST; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		uint32_t max = RTE_MIN((uint32_t)iface->mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN,
			m != NULL ? rte_pktmbuf_tailroom(m) : 0);
		uint8_t discard;
		ssize_t n;

		/* without an mbuf the frame is read all the same, into a byte: the TAP truncates it
		 * and returns its length */
		n = read(fd, m != NULL ? rte_pktmbuf_mtod(m, void *) : &discard,
			m != NULL ? rte_pktmbuf_tailroom(m) : 1);
		if (n < 0) {
			rte_pktmbuf_free(m);
			if (errno != EAGAIN && errno != EINTR)
				LOG(ERR, "twin %s: read: %s", t->name, strerror(errno));
			return;
		}
		if (m == NULL) {
			twin_drop(t, TWIN_DROP_NOMBUF);
			continue;
		}
		if (n < RTE_ETHER_HDR_LEN || n > max) {
			twin_drop(t, n < RTE_ETHER_HDR_LEN ? TWIN_DROP_FRAME_TRUNCATED
							   : TWIN_DROP_FRAME_TOO_BIG);
			rte_pktmbuf_free(m);
			continue;
		}
		m->data_len = m->pkt_len = n;
		*fp_mbuf_priv(m) = (struct fp_mbuf_priv){.iface_out = id};
		if (punt_inject(m, edge_port_tx) < 0) {
			twin_drop(t, TWIN_DROP_INJECT_FULL);
			continue;
		}
		t->from_kernel_packets++;
		t->from_kernel_bytes += n;
	}
}

void twin_copy_up(const struct rte_mbuf *m)
{
	const struct fp_mbuf_priv *priv = fp_mbuf_priv((struct rte_mbuf *)m);
	struct twin *t = priv->iface_in < FP_MAX_IFACES ? &twins[priv->iface_in] : NULL;
	struct iovec iov[TWIN_MAX_SEGS];
	uint16_t l2 = 0, n = 0;
	ssize_t sent;

	if (t == NULL || t->fd < 0) {
		twin_drop(NULL, TWIN_DROP_NO_TWIN);
		return;
	}
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
		twin_drop(t, errno == EAGAIN || errno == ENOBUFS ? TWIN_DROP_KERNEL_BUSY
								 : TWIN_DROP_WRITE_ERROR);
		return;
	}
	t->to_kernel_packets++;
	t->to_kernel_bytes += sent;
}

/* Port -> kernel: the punt reason's handler. */
static void twin_punted(struct rte_mbuf *m)
{
	twin_copy_up(m);
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

/* The twins follow a new configuration: all made again under their new names, or none. */
static void twins_configure(const struct twin_conf *c)
{
	if (c->enabled == conf.enabled && strcmp(c->prefix, conf.prefix) == 0)
		return;
	twins_remove_all();
	conf = *c;
	twin_punt_reason = conf.enabled ? twin_reason : -1;
	twins_create_all();
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

	if (!kernel_name_chars_valid(prefix))
		return cfg_err(ctx, EINVAL,
			"'%s' cannot start kernel interface names (no '/', ':' or blank)", prefix);
	if (json_is_array(ports)) {
		json_array_foreach (ports, i, port) {
			const char *name = json_string_value(json_object_get(port, "name"));

			/* a port without a valid name is the ports section's error */
			if (name != NULL && strlen(prefix) + strlen(name) >= IFNAMSIZ)
				return cfg_err(ctx, EINVAL,
					"twin name '%s%s' of port '%s' is longer than %d "
					"characters",
					prefix, name, name, IFNAMSIZ - 1);
		}
		return 0;
	}
	for (unsigned int k = 0; k < FP_MAX_IFACES; k++)
		if (fp_ifaces[k] != NULL && strlen(prefix) + strlen(fp_ifaces[k]->name) >= IFNAMSIZ)
			return cfg_err(ctx, EINVAL,
				"twin name '%s%s' of interface '%s' is longer than %d characters",
				prefix, fp_ifaces[k]->name, fp_ifaces[k]->name, IFNAMSIZ - 1);
	return 0;
}

static int twins_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	static const char *const keys[] = {"enabled", "prefix", NULL};
	struct twin_conf c = {.enabled = true};
	const char *prefix = "";
	int ret;

	if ((ret = cfg_check_type(ctx, value, JSON_OBJECT)) < 0 ||
		(ret = cfg_check_keys(ctx, value, keys)) < 0 ||
		(ret = cfg_get_bool(ctx, value, "enabled", false, &c.enabled)) < 0 ||
		(ret = cfg_get_string(ctx, value, "prefix", false, &prefix)) < 0)
		return ret;
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
	return json_pack("{s:b, s:s}", "enabled", conf.enabled, "prefix", conf.prefix);
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
	o = json_pack("{s:s, s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "iface", iface->name,
		"name", t->name, "ifindex", t->fd >= 0 ? t->ifindex : 0, "state",
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
	*result = json_pack(
		"{s:b, s:s, s:o}", "enabled", conf.enabled, "prefix", conf.prefix, "twins", list);
	return 0;
}

API_COMMAND(twin_list_cmd, "twin.list",
	"the kernel twins (TAP devices) of the interfaces, with their counters", api_twin_list)

static struct iface_listener twin_iface_listener = {
	/* last: what the other subsystems tear down of an interface, they tear down with its
	 * twin still there */
	.order = 50,
	.added = twin_create,
	.removing = twin_remove,
	.link_changed = twin_link_changed,
};

static int twin_init(void)
{
	int ret;

	if ((ret = twin_reason = punt_reason_register("twin", twin_punted)) < 0 ||
		(ret = edge_port_tx = punt_inject_edge("port_tx")) < 0)
		return ret;
	twin_punt_reason = conf.enabled ? twin_reason : -1;
	iface_listener_register(&twin_iface_listener);
	return 0;
}

static struct fp_module twin_module = {
	.name = "twin",
	.order = 17,
	.init = twin_init,
};
FP_MODULE_REGISTER(twin_module)
