/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fastpath -> kernel: the addresses and static routes made through fastpath's config file or
 * API are put on the twins, so that the kernel (and the daemons reading it) sees one router.
 *
 * fastpath changes in the kernel only what it made there. Copies are created, never replaced
 * (NLM_F_EXCL): where the kernel has an object of the same key already (a route through a
 * device fastpath does not own, an address made by hand), the kernel's stays and the conflict
 * is counted. Route copies carry protocol NL_PROTO_FASTPATH, which the kernel matches on
 * deletion, so a deletion never takes another route; addresses have no such key, so the ones
 * fastpath made are remembered and only those are deleted. When the copies stop (SIGTERM, the
 * mirror disabled) they all go, and at start the routes a previous run left (a crash) go
 * before any copy is made. Addresses live on the twins, which die with the process.
 */
#include "infra/control.h"
#include "base/fp_error.h"
#include "infra/iface.h"
#include "base/log.h"
#include "ip4/addr.h"
#include "ip6/addr6.h"
#include "nl_priv.h"
#include "twin/twin.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#define DUMP_BUF_SIZE	(64 * 1024)
#define DUMP_TIMEOUT_MS 5000
/* Conflicts logged one by one; beyond, counted only (a big config against a full table). */
#define CONFLICTS_LOGGED 20

static struct nl_sock *push_sock;
static struct {
	uint64_t routes, addrs, skipped, conflicts, removed, leftovers, errors;
} push_stats;

/* An address fastpath put on a twin: the only kind it deletes there. */
struct made_addr {
	uint16_t iface;
	struct fp_ip_prefix a;
};
static struct made_addr *made;
static size_t n_made, cap_made;

/*
 * The kernel's answer to the request just sent: 0 or a negative errno. The kernel handles an
 * rtnetlink request within sendmsg(), so its error is queued on the socket by the time
 * nl_send_auto() returns; without an acknowledgement asked (a million copies need no million
 * answers), nothing comes for a success. One recv() after each request reads the answer:
 * no request is ever outstanding, and no table of sequence numbers grows.
 */
static int request(struct nl_msg *msg)
{
	uint32_t seq;
	char buf[4096];
	int ret, answer = 0;
	ssize_t n;

	ret = nl_send_auto(push_sock, msg);
	seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (ret < 0) {
		LOG(DEBUG, "netlink: a copy on a twin: %s", nl_geterror(ret));
		return -EIO;
	}
	while ((n = recv(nl_socket_get_fd(push_sock), buf, sizeof(buf), MSG_DONTWAIT)) > 0 ||
		(n < 0 && errno == EINTR)) {
		int len = n;

		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; n > 0 && nlmsg_ok(h, len);
			h = nlmsg_next(h, &len)) {
			const struct nlmsgerr *e = nlmsg_data(h);

			if (h->nlmsg_type != NLMSG_ERROR || e->error == 0)
				continue;
			if (h->nlmsg_seq == seq)
				answer = e->error;
			else /* cannot be: every answer is read with its request */
				push_stats.errors++;
		}
	}
	return answer;
}

static void error(const char *what, int ret)
{
	push_stats.errors++;
	LOG(DEBUG, "netlink: %s: %s", what, strerror(-ret));
}

/* what: "route P in table T", "address A on twin I" */
static void conflict(const char *what)
{
	if (push_stats.conflicts++ < CONFLICTS_LOGGED)
		LOG(WARNING,
			"netlink: the kernel has its own %s: left as it is, fastpath's not "
			"copied",
			what);
	if (push_stats.conflicts == CONFLICTS_LOGGED)
		LOG(WARNING, "netlink: further conflicts with the kernel's own are only counted "
			     "(show netlink)");
}

static int put_addr(struct nl_msg *msg, int type, const struct fp_ip_addr *a)
{
	return a->family == AF_INET ? nla_put(msg, type, 4, &a->v4)
				    : nla_put(msg, type, 16, a->v6.bytes);
}

static struct made_addr *made_find(uint16_t iface, const struct fp_ip_prefix *a)
{
	for (size_t i = 0; i < n_made; i++)
		if (made[i].iface == iface && made[i].a.len == a->len &&
			fp_ip_addr_equal(&made[i].a.addr, &a->addr))
			return &made[i];
	return NULL;
}

static void made_forget(struct made_addr *m)
{
	*m = made[--n_made];
}

static int made_add(uint16_t iface, const struct fp_ip_prefix *a)
{
	if (n_made == cap_made) {
		size_t cap = cap_made ? 2 * cap_made : 16;
		struct made_addr *bigger = realloc(made, cap * sizeof(*made));

		if (bigger == NULL)
			return -ENOMEM;
		made = bigger;
		cap_made = cap;
	}
	made[n_made++] = (struct made_addr){iface, *a};
	return 0;
}

static int addr_request(int ifindex, const struct fp_ip_prefix *a, bool add)
{
	struct ifaddrmsg ifa = {.ifa_family = a->addr.family,
		.ifa_prefixlen = a->len,
		/* fastpath did DAD already; the kernel's would race it */
		.ifa_flags = a->addr.family == AF_INET6 ? IFA_F_NODAD : 0,
		.ifa_index = ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(add ? RTM_NEWADDR : RTM_DELADDR,
		add ? NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL : NLM_F_REQUEST);

	if (msg == NULL || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0 ||
		put_addr(msg, IFA_LOCAL, &a->addr) < 0 ||
		put_addr(msg, IFA_ADDRESS, &a->addr) < 0 ||
		/* marked as routes are (IFA_PROTO, Linux 5.18; older kernels ignore it) */
		(add && nla_put_u8(msg, IFA_PROTO, NL_PROTO_FASTPATH) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(msg);
}

void nl_push_addr(uint16_t iface, const struct fp_ip_prefix *a, bool add)
{
	struct made_addr *m = made_find(iface, a);
	char pfx[FP_IP_PREFIXSTRLEN], what[FP_IP_PREFIXSTRLEN + FP_IFACE_NAMESIZE + 24];
	int ifindex = twin_ifindex(iface), ret;

	if (push_sock == NULL || ifindex == 0)
		return;
	if (!add) {
		/* one the kernel had already (made by hand, DHCP) is not fastpath's to delete */
		if (m == NULL)
			return;
		made_forget(m);
		ret = addr_request(ifindex, a, false);
		if (ret == 0)
			push_stats.removed++;
		else if (ret != -EADDRNOTAVAIL && ret != -ENOENT) /* else gone already */
			error("deleting an address copy", ret);
		return;
	}
	ret = addr_request(ifindex, a, true);
	if (ret == 0 && m == NULL && made_add(iface, a) < 0) {
		/* a copy fastpath could not remember would be the kernel's to keep */
		addr_request(ifindex, a, false);
		ret = -ENOMEM;
	}
	if (ret == 0) {
		push_stats.addrs++;
	} else if (ret == -EEXIST && m == NULL) {
		snprintf(what, sizeof(what), "address %s on twin %s", fp_ip_prefix_fmt(a, pfx),
			iface_get(iface)->name);
		conflict(what);
	} else if (ret != -EEXIST) { /* else its own copy, still there (a twin down and up) */
		error("an address copy", ret);
	}
}

void nl_push_addr_gone(uint16_t iface, const struct fp_ip_prefix *a, uint32_t portid)
{
	struct made_addr *m = made_find(iface, a);

	/*
	 * Gone from the kernel by another hand (ip addr del, an IPv6 twin set down): should the
	 * same address be made again by hand, it is not fastpath's. Its own deletions' echoes
	 * carry its port id (IPv4; IPv6 events carry none, and it forgot those already).
	 */
	if (m != NULL && push_sock != NULL && portid != nl_socket_get_local_port(push_sock))
		made_forget(m);
}

void nl_push_twin_gone(uint16_t iface)
{
	/* its addresses went with it: the interface's next twin starts with none of fastpath's */
	for (size_t i = 0; i < n_made;)
		if (made[i].iface == iface)
			made_forget(&made[i]);
		else
			i++;
}

static int put_next_hops(struct nl_msg *msg, const struct route *r)
{
	struct nlattr *mp;

	if (r->n_nh == 1) {
		if (r->nh[0].gw.family != 0 && put_addr(msg, RTA_GATEWAY, &r->nh[0].gw) < 0)
			return -1;
		return nla_put_u32(msg, RTA_OIF, twin_ifindex(r->nh[0].iface));
	}
	if ((mp = nla_nest_start(msg, RTA_MULTIPATH)) == NULL)
		return -1;
	for (unsigned int i = 0; i < r->n_nh; i++) {
		/* libnl's buffer does not move: nh stays valid while its attributes follow */
		struct rtnexthop *nh = nlmsg_reserve(msg, sizeof(*nh), NLMSG_ALIGNTO);

		if (nh == NULL)
			return -1;
		*nh = (struct rtnexthop){.rtnh_ifindex = twin_ifindex(r->nh[i].iface),
			.rtnh_hops = r->nh[i].weight > 0 ? r->nh[i].weight - 1 : 0};
		if (r->nh[i].gw.family != 0 && put_addr(msg, RTA_GATEWAY, &r->nh[i].gw) < 0)
			return -1;
		nh->rtnh_len = (char *)nlmsg_tail(nlmsg_hdr(msg)) - (char *)nh;
	}
	nla_nest_end(msg, mp);
	return 0;
}

static uint8_t rtn_type(enum route_type t)
{
	switch (t) {
	case ROUTE_BLACKHOLE:
		return RTN_BLACKHOLE;
	case ROUTE_UNREACHABLE:
		return RTN_UNREACHABLE;
	case ROUTE_PROHIBIT:
		return RTN_PROHIBIT;
	default:
		return RTN_UNICAST;
	}
}

/*
 * A request for the copy of prefix p in table: r to add, NULL to delete. A deletion names
 * fastpath's protocol and nothing else (type unspecified, scope nowhere, no metric, no next
 * hop): the kernel deletes fastpath's copy of the prefix, whatever it is, and never a route of
 * another protocol (fib_table_delete for IPv4 and ip6_route_del for IPv6 match the protocol).
 */
static struct nl_msg *route_msg(uint32_t table, const struct fp_ip_prefix *p, const struct route *r)
{
	struct rtmsg rtm = {.rtm_family = p->addr.family,
		.rtm_dst_len = p->len,
		.rtm_table = table < 256 ? table : RT_TABLE_UNSPEC,
		.rtm_protocol = NL_PROTO_FASTPATH,
		.rtm_scope = RT_SCOPE_NOWHERE};
	struct nl_msg *msg = nlmsg_alloc_simple(r != NULL ? RTM_NEWROUTE : RTM_DELROUTE,
		r != NULL ? NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL : NLM_F_REQUEST);

	if (r != NULL) {
		rtm.rtm_type = rtn_type(r->type);
		rtm.rtm_scope = r->type == ROUTE_UNICAST && r->n_nh == 1 && r->nh[0].gw.family == 0
					? RT_SCOPE_LINK
					: RT_SCOPE_UNIVERSE;
	}
	if (msg == NULL || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
		nla_put_u32(msg, RTA_TABLE, table) < 0 ||
		(p->len > 0 && put_addr(msg, RTA_DST, &p->addr) < 0) ||
		(r != NULL && r->type == ROUTE_UNICAST && put_next_hops(msg, r) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Deletes fastpath's copy of p in table: 1 if there was one, 0 if not, or -errno. */
static int route_delete(uint32_t table, const struct fp_ip_prefix *p)
{
	struct nl_msg *msg = route_msg(table, p, NULL);
	int ret;

	if (msg == NULL)
		return -ENOMEM;
	ret = request(msg);
	return ret == 0 ? 1 : ret == -ESRCH || ret == -ENOENT ? 0 : ret;
}

/* The table of r's copy, 0 if the kernel cannot hold it (an interface without twin). */
static uint32_t copy_table(const struct route *r)
{
	for (unsigned int i = 0; i < r->n_nh; i++)
		if (twin_ifindex(r->nh[i].iface) == 0)
			return 0;
	return nl_vrf_table(&nl_config, r->vrf);
}

static void route_add(uint32_t table, const struct route *r)
{
	struct nl_msg *msg = route_msg(table, &r->prefix, r);
	char pfx[FP_IP_PREFIXSTRLEN], what[FP_IP_PREFIXSTRLEN + 32];
	int ret = msg != NULL ? request(msg) : -ENOMEM;

	if (ret == 0) {
		push_stats.routes++;
	} else if (ret == -EEXIST) {
		snprintf(what, sizeof(what), "route %s in table %u",
			fp_ip_prefix_fmt(&r->prefix, pfx), table);
		conflict(what);
	} else {
		error("a route copy", ret);
	}
}

void nl_push_route(const struct route *r, bool add)
{
	uint32_t table;
	int ret;

	if (push_sock == NULL || r->type == ROUTE_LOCAL || r->type == ROUTE_BROADCAST)
		return;
	if ((table = copy_table(r)) == 0) {
		push_stats.skipped += add;
		return;
	}
	if (add)
		route_add(table, r);
	else if ((ret = route_delete(table, &r->prefix)) > 0)
		push_stats.removed++;
	else if (ret < 0) /* 0: there was none (a conflict, or deleted by another hand) */
		error("deleting a route copy", ret);
}

struct push_walk {
	uint16_t iface; /* FP_IFACE_NONE: every twin */
};

static bool wanted(const struct push_walk *w, uint16_t iface)
{
	return w->iface == FP_IFACE_NONE || w->iface == iface;
}

/* the addresses the mirror took from the kernel are the kernel's: not copied back */
static int push_addr4(uint16_t iface, const struct fp_ip4_prefix *a, void *arg)
{
	struct fp_ip_prefix p = {fp_ip_addr4(a->addr), a->len};

	if (wanted(arg, iface) && !nl_mirror_has_addr(iface, &p))
		nl_push_addr(iface, &p, true);
	return 0;
}

static int push_addr6(uint16_t iface, const struct ip6_ifaddr *a, void *arg)
{
	struct fp_ip_prefix p = {fp_ip_addr6(&a->p.addr), a->p.len};

	if (wanted(arg, iface) && !fp_ip6_is_link_local(&a->p.addr) &&
		!nl_mirror_has_addr(iface, &p))
		nl_push_addr(iface, &p, true);
	return 0;
}

/*
 * A static route through the walk's interface (any, for FP_IFACE_NONE). Through one
 * interface, its twin is back: a multipath copy with hops through other twins may have
 * stayed, so the copy is made anew rather than found in conflict with itself.
 */
static int push_static(const struct route *r, void *arg)
{
	const struct push_walk *w = arg;
	bool through = false;
	uint32_t table;

	if (r->origin != ORIGIN_STATIC)
		return 0;
	if (w->iface == FP_IFACE_NONE) {
		nl_push_route(r, true);
		return 0;
	}
	for (unsigned int k = 0; k < r->n_nh; k++)
		through |= r->nh[k].iface == w->iface;
	if (through && (table = copy_table(r)) != 0) {
		route_delete(table, &r->prefix);
		nl_push_route(r, true);
	}
	return 0;
}

void nl_push_all(uint16_t iface)
{
	struct push_walk w = {iface};

	if (push_sock == NULL)
		return;
	ip4_addr_walk(push_addr4, &w);
	ip6_addr_walk(push_addr6, &w);
	fib_routes_walk(AF_UNSPEC, UINT16_MAX, push_static, &w);
}

/* The next datagram of a dump: the kernel fills the next part as the last one is read. */
static ssize_t recv_wait(int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);

		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			return n;
		if (errno == EAGAIN && poll(&(struct pollfd){.fd = fd, .events = POLLIN}, 1,
					       DUMP_TIMEOUT_MS) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

/* fastpath's copies the kernel has in the tables the config maps: table and prefix each. */
struct copy {
	uint32_t table;
	struct fp_ip_prefix prefix;
};
struct copies {
	struct copy *c;
	size_t n, cap;
};

static int copies_collect(const struct nlmsghdr *h, struct copies *c)
{
	struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	struct copy k;

	if (h->nlmsg_type != RTM_NEWROUTE ||
		nlmsg_parse((struct nlmsghdr *)h, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return 0;
	rtm = nlmsg_data(h);
	k.table = tb[RTA_TABLE] != NULL ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	k.prefix = (struct fp_ip_prefix){{.family = rtm->rtm_family}, rtm->rtm_dst_len};
	/* the kernel filters by protocol too, unless it is older than strict dump checks */
	if (rtm->rtm_protocol != NL_PROTO_FASTPATH || nl_table_vrf(&nl_config, k.table) < 0 ||
		rtm->rtm_dst_len > fp_family_bits(rtm->rtm_family) ||
		(tb[RTA_DST] != NULL &&
			!nl_addr_attr(tb[RTA_DST], rtm->rtm_family, &k.prefix.addr)))
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		struct copy *bigger = realloc(c->c, cap * sizeof(*c->c));

		if (bigger == NULL)
			return -ENOMEM;
		c->c = bigger;
		c->cap = cap;
	}
	c->c[c->n++] = k;
	return 0;
}

/* Every route of family with fastpath's protocol, of a table the config maps, into c. */
static int copies_dump(uint8_t family, struct copies *c, char *buf)
{
	struct rtmsg rtm = {.rtm_family = family, .rtm_protocol = NL_PROTO_FASTPATH};
	int fd = nl_socket_get_fd(push_sock), ret;

	if ((ret = nl_send_simple(push_sock, RTM_GETROUTE, NLM_F_DUMP, &rtm, sizeof(rtm))) < 0)
		return fp_error(EIO, "netlink: listing fastpath's routes: %s", nl_geterror(ret));
	for (;;) {
		ssize_t n = recv_wait(fd, buf, DUMP_BUF_SIZE);
		int len = n;

		if (n < 0)
			return fp_error(
				errno, "netlink: listing fastpath's routes: %s", strerror(errno));
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; nlmsg_ok(h, len);
			h = nlmsg_next(h, &len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return fp_error(-((struct nlmsgerr *)nlmsg_data(h))->error,
					"netlink: listing fastpath's routes: %s",
					strerror(-((struct nlmsgerr *)nlmsg_data(h))->error));
			if ((ret = copies_collect(h, c)) < 0)
				return fp_error(-ret, "netlink: out of memory");
		}
	}
}

/*
 * Deletes every route with fastpath's protocol in the tables the config maps (listed first:
 * deleting while the kernel dumps would interrupt the dump). The number deleted or -errno.
 */
static int copies_flush(void)
{
	static const uint8_t families[] = {AF_INET, AF_INET6};
	struct copies c = {0};
	char *buf = malloc(DUMP_BUF_SIZE);
	int ret = buf != NULL ? 0 : fp_error(ENOMEM, "netlink: out of memory"), n = 0;

	for (unsigned int f = 0; f < sizeof(families) && ret == 0; f++)
		ret = copies_dump(families[f], &c, buf);
	for (size_t i = 0; i < c.n && ret == 0; i++) {
		int gone = route_delete(c.c[i].table, &c.c[i].prefix);

		/* an IPv6 multipath route may come as one message a hop: gone with the first */
		if (gone < 0)
			error("deleting a route copy", gone);
		n += gone > 0;
	}
	free(c.c);
	free(buf);
	return ret < 0 ? ret : n;
}

/* The addresses fastpath made; those on twins already gone went with them (ENODEV). */
static void addrs_flush(void)
{
	while (n_made > 0) {
		struct made_addr *m = &made[n_made - 1];
		int ifindex = twin_ifindex(m->iface);

		if (ifindex != 0 && addr_request(ifindex, &m->a, false) == 0)
			push_stats.removed++;
		n_made--;
	}
}

int nl_push_open(void)
{
	int ret, one = 1;

	if ((push_sock = nl_socket_alloc()) == NULL)
		return fp_error(ENOMEM, "netlink: out of memory");
	if ((ret = nl_connect(push_sock, NETLINK_ROUTE)) < 0) {
		nl_socket_free(push_sock);
		push_sock = NULL;
		return fp_error(EIO, "netlink: %s", nl_geterror(ret));
	}
	nl_socket_set_nonblocking(push_sock);
	nl_socket_disable_auto_ack(push_sock);
	/* errors without the request quoted; dumps filtered by the kernel (protocol) */
	setsockopt(nl_socket_get_fd(push_sock), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(push_sock), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
		sizeof(one));
	/* what a previous run left (it crashed): gone before fastpath copies anything */
	if ((ret = copies_flush()) < 0) {
		nl_socket_free(push_sock);
		push_sock = NULL;
		return ret;
	}
	if (ret > 0) {
		push_stats.leftovers += ret;
		LOG(NOTICE, "netlink: %d routes of a previous run (protocol %d) deleted", ret,
			NL_PROTO_FASTPATH);
	}
	return 0;
}

void nl_push_close(void)
{
	int ret;

	if (push_sock == NULL)
		return;
	/* blackhole, unreachable and prohibit copies are on no twin: they would stay */
	if ((ret = copies_flush()) < 0)
		LOG(ERR, "%s: fastpath's routes may stay in the kernel", fp_errmsg());
	else
		push_stats.removed += ret;
	addrs_flush();
	nl_socket_free(push_sock);
	push_sock = NULL;
}

void nl_push_fini(void)
{
	free(made);
	made = NULL;
	n_made = cap_made = 0;
}

json_t *nl_push_status(void)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "routes",
		(json_int_t)push_stats.routes, "addresses", (json_int_t)push_stats.addrs, "skipped",
		(json_int_t)push_stats.skipped, "conflicts", (json_int_t)push_stats.conflicts,
		"removed", (json_int_t)push_stats.removed, "leftovers",
		(json_int_t)push_stats.leftovers, "errors", (json_int_t)push_stats.errors);
}
