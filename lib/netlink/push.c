/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fastpath -> kernel: the addresses and static routes made through fastpath's config file or
 * API are put on the twins, so that the kernel (and the daemons reading it) sees one router.
 * Routes carry protocol NL_PROTO_FASTPATH, by which the mirror knows its own copies; addresses
 * come back as ones fastpath has already. Requests go without acknowledgement: the kernel
 * answers only errors, which are counted.
 */
#include "infra/control.h"
#include "infra/fp_error.h"
#include "infra/log.h"
#include "ip4/addr.h"
#include "ip6/addr6.h"
#include "nl_priv.h"
#include "twin/twin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

static struct nl_sock *push_sock;
static struct {
	uint64_t routes, addrs, skipped, errors;
} push_stats;

static void on_replies(int fd, uint32_t events, void *arg)
{
	char buf[8192];
	ssize_t n;

	(void)events;
	(void)arg;
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		int len = n;

		for (; nlmsg_ok(h, len); h = nlmsg_next(h, &len)) {
			const struct nlmsgerr *e = nlmsg_data(h);

			if (h->nlmsg_type != NLMSG_ERROR || e->error == 0)
				continue;
			push_stats.errors++;
			LOG(DEBUG, "netlink: a copy on a twin: %s", strerror(-e->error));
		}
	}
}

int nl_push_open(void)
{
	int ret;

	if ((push_sock = nl_socket_alloc()) == NULL)
		return fp_error(ENOMEM, "netlink: out of memory");
	if ((ret = nl_connect(push_sock, NETLINK_ROUTE)) < 0) {
		nl_socket_free(push_sock);
		push_sock = NULL;
		return fp_error(EIO, "netlink: %s", nl_geterror(ret));
	}
	nl_socket_set_nonblocking(push_sock);
	/* only errors come back: a million copies need no million acknowledgements */
	nl_socket_disable_auto_ack(push_sock);
	if ((ret = control_fd_add(nl_socket_get_fd(push_sock), EPOLLIN, on_replies, NULL)) < 0) {
		nl_socket_free(push_sock);
		push_sock = NULL;
	}
	return ret;
}

void nl_push_close(void)
{
	if (push_sock == NULL)
		return;
	control_fd_del(nl_socket_get_fd(push_sock));
	nl_socket_free(push_sock);
	push_sock = NULL;
}

static void send_msg(struct nl_msg *msg)
{
	int ret = nl_send_auto(push_sock, msg);

	if (ret < 0) {
		push_stats.errors++;
		LOG(DEBUG, "netlink: a copy on a twin: %s", nl_geterror(ret));
	}
	nlmsg_free(msg);
}

static int put_addr(struct nl_msg *msg, int type, const struct fp_ip_addr *a)
{
	return a->family == AF_INET ? nla_put(msg, type, 4, &a->v4)
				    : nla_put(msg, type, 16, a->v6.bytes);
}

void nl_push_addr(uint16_t iface, const struct fp_ip_prefix *a, bool add)
{
	struct ifaddrmsg ifa = {.ifa_family = a->addr.family,
		.ifa_prefixlen = a->len,
		/* fastpath did DAD already; the kernel's would race it */
		.ifa_flags = a->addr.family == AF_INET6 ? IFA_F_NODAD : 0,
		.ifa_index = twin_ifindex(iface)};
	struct nl_msg *msg;

	if (push_sock == NULL || ifa.ifa_index == 0)
		return;
	msg = nlmsg_alloc_simple(add ? RTM_NEWADDR : RTM_DELADDR,
		add ? NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE : NLM_F_REQUEST);
	if (msg == NULL || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0 ||
		put_addr(msg, IFA_LOCAL, &a->addr) < 0 ||
		put_addr(msg, IFA_ADDRESS, &a->addr) < 0) {
		push_stats.errors++;
		nlmsg_free(msg);
		return;
	}
	push_stats.addrs++;
	send_msg(msg);
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

void nl_push_route(const struct route *r, bool add)
{
	uint32_t table = nl_vrf_table(&nl_config, r->vrf);
	struct rtmsg rtm = {.rtm_family = r->prefix.addr.family,
		.rtm_dst_len = r->prefix.len,
		.rtm_table = table < 256 ? table : RT_TABLE_UNSPEC,
		.rtm_protocol = NL_PROTO_FASTPATH,
		.rtm_scope = r->type == ROUTE_UNICAST && r->n_nh == 1 && r->nh[0].gw.family == 0
				     ? RT_SCOPE_LINK
				     : RT_SCOPE_UNIVERSE,
		.rtm_type = rtn_type(r->type)};
	struct nl_msg *msg;

	if (push_sock == NULL || r->type == ROUTE_LOCAL || r->type == ROUTE_BROADCAST)
		return;
	/* the kernel cannot hold a route through a device it does not have */
	for (unsigned int i = 0; i < r->n_nh; i++)
		if (twin_ifindex(r->nh[i].iface) == 0)
			table = 0;
	if (table == 0) {
		push_stats.skipped++;
		return;
	}
	msg = nlmsg_alloc_simple(add ? RTM_NEWROUTE : RTM_DELROUTE,
		add ? NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE : NLM_F_REQUEST);
	if (msg == NULL || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
		nla_put_u32(msg, RTA_TABLE, table) < 0 ||
		(r->prefix.len > 0 && put_addr(msg, RTA_DST, &r->prefix.addr) < 0) ||
		(add && r->type == ROUTE_UNICAST && put_next_hops(msg, r) < 0)) {
		push_stats.errors++;
		nlmsg_free(msg);
		return;
	}
	push_stats.routes++;
	send_msg(msg);
}

struct push_walk {
	uint16_t iface; /* FP_IFACE_NONE: every twin */
};

static bool wanted(const struct push_walk *w, uint16_t iface)
{
	return w->iface == FP_IFACE_NONE || w->iface == iface;
}

static int push_addr4(uint16_t iface, const struct fp_ip4_prefix *a, void *arg)
{
	if (wanted(arg, iface))
		nl_push_addr(iface, &(struct fp_ip_prefix){fp_ip_addr4(a->addr), a->len}, true);
	return 0;
}

static int push_addr6(uint16_t iface, const struct ip6_ifaddr *a, void *arg)
{
	if (wanted(arg, iface) && !fp_ip6_is_link_local(&a->p.addr))
		nl_push_addr(
			iface, &(struct fp_ip_prefix){fp_ip_addr6(&a->p.addr), a->p.len}, true);
	return 0;
}

/* a static route through the walk's interface (any, for FP_IFACE_NONE) */
static int push_static(const struct route *r, void *arg)
{
	const struct push_walk *w = arg;
	bool through = w->iface == FP_IFACE_NONE;

	if (r->origin != ORIGIN_STATIC)
		return 0;
	for (unsigned int k = 0; k < r->n_nh; k++)
		through |= r->nh[k].iface == w->iface;
	if (through)
		nl_push_route(r, true);
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

json_t *nl_push_status(void)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "routes", (json_int_t)push_stats.routes,
		"addresses", (json_int_t)push_stats.addrs, "skipped",
		(json_int_t)push_stats.skipped, "errors", (json_int_t)push_stats.errors);
}
