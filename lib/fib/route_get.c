/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * route.get: the FIB's answer for a destination, as `ip route get` gives the
 * kernel's: the route that matches, and the path a flow takes, picked with the
 * datapath's own flow hash over a header built from the flow's fields.
 */

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>

#include "api/api.h"
#include "config/config.h"
#include "fib.h"
#include "base/fp_error.h"
#include "base/fp_net.h"
#include "infra/iface.h"
#include "ip4/addr.h"
#include "ip4/ip4_route.h"
#include "ip6/addr6.h"
#include "ip6_flow_hash.h"

struct flow {
	struct fp_ip_addr dst, src; /* src family 0: not given, the hash takes 0 */
	uint8_t proto;
	uint16_t sport, dport;
};

/* The flow's hash, as ip4_route_decide() and ip6_route's ECMP compute it for its packets. */
static uint32_t flow_hash(const struct flow *f)
{
	union {
		struct {
			struct rte_ipv4_hdr ip;
			rte_be16_t ports[2];
		} __attribute__((packed)) v4;
		struct {
			struct rte_ipv6_hdr ip;
			rte_be16_t ports[2];
		} __attribute__((packed)) v6;
	} h;

	memset(&h, 0, sizeof(h));
	if (f->dst.family == AF_INET) {
		h.v4.ip.version_ihl = RTE_IPV4_VHL_DEF;
		h.v4.ip.total_length = rte_cpu_to_be_16(sizeof(h.v4));
		h.v4.ip.next_proto_id = f->proto;
		h.v4.ip.src_addr = f->src.family ? f->src.v4 : 0;
		h.v4.ip.dst_addr = f->dst.v4;
		h.v4.ports[0] = rte_cpu_to_be_16(f->sport);
		h.v4.ports[1] = rte_cpu_to_be_16(f->dport);
		return ip4_flow_hash(&h.v4.ip);
	}
	h.v6.ip.vtc_flow = rte_cpu_to_be_32(6u << 28);
	h.v6.ip.proto = f->proto;
	if (f->src.family)
		memcpy(&h.v6.ip.src_addr, &f->src.v6, 16);
	memcpy(&h.v6.ip.dst_addr, &f->dst.v6, 16);
	h.v6.ports[0] = rte_cpu_to_be_16(f->sport);
	h.v6.ports[1] = rte_cpu_to_be_16(f->dport);
	return ip6_flow_hash(&h.v6.ip, f->proto, sizeof(h.v6.ip));
}

/* The longest prefix of vrf's table that holds addr: the route the lookup found. */
static int matching_route(uint16_t vrf, const struct fp_ip_addr *addr, struct route *r)
{
	for (int len = fp_family_bits(addr->family); len >= 0; len--) {
		struct fp_ip_prefix p = {.addr = fp_ip_masked(addr, len), .len = len};

		if (fib_route_get(vrf, &p, r) == 0)
			return 0;
	}
	return -ENOENT;
}

static int parse_flow(const json_t *args, struct flow *f, uint16_t *vrf, const struct iface **iif)
{
	static const char *const protos[] = {"tcp", "udp", "icmp", NULL};
	static const uint8_t proto_numbers[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP};
	uint64_t v = 0, sport = 0, dport = 0, proto_n = 0;
	const char *dev = NULL;
	struct cfg_ctx ctx;
	int proto = -1, ret;

	cfg_ctx_init(&ctx, NULL);
	if ((ret = cfg_get_ip(&ctx, args, "addr", true, &f->dst)) >= 0 &&
		(ret = cfg_get_string(&ctx, args, "iif", false, &dev)) >= 0 &&
		(ret = cfg_get_uint(&ctx, args, "vrf", false, 0, FP_MAX_VRFS - 1, &v)) >= 0 &&
		(ret = cfg_get_uint(&ctx, args, "sport", false, 0, UINT16_MAX, &sport)) >= 0 &&
		(ret = cfg_get_uint(&ctx, args, "dport", false, 0, UINT16_MAX, &dport)) >= 0 &&
		(ret = cfg_get_ip_as(&ctx, args, "from", false, f->dst.family, &f->src)) >= 0) {
		/* a protocol by name or number */
		if (json_is_integer(json_object_get(args, "ipproto")))
			ret = cfg_get_uint(&ctx, args, "ipproto", false, 0, UINT8_MAX, &proto_n);
		else
			ret = cfg_get_enum(&ctx, args, "ipproto", false, protos, &proto);
	}
	cfg_ctx_fini(&ctx);
	if (ret < 0)
		return ret;
	f->proto = proto >= 0 ? proto_numbers[proto] : proto_n;
	f->sport = sport;
	f->dport = dport;
	*vrf = v;
	*iif = NULL;
	if (dev != NULL) {
		if ((*iif = iface_by_name(dev)) == NULL)
			return fp_error(ENODEV, "no interface %s", dev);
		/* the input interface's VRF is the table its packets are looked up in */
		if (json_object_get(args, "vrf") != NULL && (*iif)->vrf != v)
			return fp_error(EINVAL, "%s is in vrf %u, not %u", dev, (*iif)->vrf,
				(unsigned int)v);
		*vrf = (*iif)->vrf;
	}
	return 0;
}

/*
 * The source address Linux would choose for a packet to dst through mb, as ip route get
 * shows it (fastpath's routes have no prefsrc): for IPv4 inet_select_addr()'s, the address of
 * the outgoing interface on the gateway's network, else on dst's (a connected route's), else
 * its first; for IPv6 the RFC 6724 choice of ip6_addr_source(). Family 0 if it has none.
 */
static struct fp_ip_addr path_source(const struct nh_member *mb, const struct fp_ip_addr *dst)
{
	struct fp_ip_addr src = {0};

	if (dst->family == AF_INET) {
		uint32_t a = ip4_addr_source_for(mb->iface, mb->gw.family ? mb->gw.v4 : dst->v4);

		if (a != 0)
			src = fp_ip_addr4(a);
	} else if (ip6_addr_source(mb->iface, &dst->v6, &src.v6)) {
		src.family = AF_INET6;
	}
	return src;
}

/*
 * {"addr": "10.9.1.1", "from": ..., "iif": "p0", "vrf": 0, "ipproto": "tcp"|N, "sport": N,
 * "dport": N}: {"vrf", "addr", "route": the matching route, "type", and for a unicast route
 * the path the flow takes, "via" (none for a connected network), "dev", "path" (its index among
 * the group's "paths"), and without from and iif (an output lookup, as Linux's) the "src" address
 * Linux would pick}.
 */
static int api_route_get(const json_t *args, json_t **result)
{
	char buf[FP_IP_PREFIXSTRLEN];
	const struct nh_group *g;
	const struct nh_member *mb;
	const struct iface *iif, *dev;
	struct fp_ip_addr src;
	struct flow f = {0};
	struct route r;
	uint16_t vrf;
	int ret;

	if ((ret = parse_flow(args, &f, &vrf, &iif)) < 0)
		return ret;
	g = fib_lookup(vrf, &f.dst);
	if (g == NULL || matching_route(vrf, &f.dst, &r) < 0)
		return fp_error(
			ENETUNREACH, "no route to %s in vrf %u", fp_ip_fmt(&f.dst, buf), vrf);
	*result = json_pack("{s:i, s:s, s:o, s:s}", "vrf", vrf, "addr", fp_ip_fmt(&f.dst, buf),
		"route", route_to_json(&r), "type", route_type_names[g->type]);
	if (f.src.family)
		json_object_set_new(*result, "from", json_string(fp_ip_fmt(&f.src, buf)));
	if (iif != NULL)
		json_object_set_new(*result, "iif", json_string(iif->name));
	/* one of ours: Linux's source is the address itself */
	if (g->type == ROUTE_LOCAL && !f.src.family && iif == NULL)
		json_object_set_new(*result, "src", json_string(fp_ip_fmt(&f.dst, buf)));
	if (g->type != ROUTE_UNICAST || g->n_members == 0)
		return 0;
	mb = &g->members[g->n_slots <= 1 ? 0 : g->slots[flow_hash(&f) % g->n_slots]];
	if (mb->gw.family != 0)
		json_object_set_new(*result, "via", json_string(fp_ip_fmt(&mb->gw, buf)));
	if ((dev = iface_get(mb->iface)) != NULL)
		json_object_set_new(*result, "dev", json_string(dev->name));
	if (!f.src.family && iif == NULL && (src = path_source(mb, &f.dst)).family)
		json_object_set_new(*result, "src", json_string(fp_ip_fmt(&src, buf)));
	json_object_set_new(*result, "path", json_integer(mb - g->members));
	json_object_set_new(*result, "paths", json_integer(g->n_members));
	return 0;
}

API_COMMAND(route_get_cmd, "route.get",
	"the route a destination takes, and the ECMP path of a flow (from, ipproto, sport, dport)",
	api_route_get, API_ARGS("addr", "from", "iif", "vrf", "ipproto", "sport", "dport"))
