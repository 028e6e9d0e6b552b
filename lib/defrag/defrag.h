/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * Reassembly of IPv4 and IPv6 fragments before connection tracking, as Linux 6.1's
 * nf_defrag_ipv4 (ip_defrag(), net/ipv4/ip_fragment.c) and nf_defrag_ipv6
 * (nf_ct_frag6_gather(), net/ipv6/netfilter/nf_conntrack_reasm.c) do it, on
 * inet_fragment.c's model; docs/defrag.md says what is Linux's and what is not.
 *
 * One table per worker and family, used by that worker only: no locks. Fragments of one
 * datagram must all reach the same table: the prerouting node sends each fragment to the
 * worker defrag_owner() names from defrag4_owner_hash() / defrag6_owner_hash(), through
 * that worker's hand-off ring, as VPP's full reassembly hands fragments to their owner.
 * Only the memory held is shared (one counter per family, as Linux's per-namespace
 * frag_mem_limit()), bounded by the high_thresh sysctl.
 *
 * The hot path allocates nothing, logs nothing and makes no system call; the tables are
 * allocated on the control thread. Time is a parameter (now_ms, any monotonic millisecond
 * clock), so tests drive it.
 *
 * A prerouting node, for each packet of its burst:
 *
 *	v = defrag4_input(t, &m, now_ms);       (or defrag6_input)
 *	DEFRAG_PASS: m goes on unchanged (not a fragment, or one Linux lets through)
 *	DEFRAG_HELD: m is kept by the table, forget it
 *	DEFRAG_DONE: m is now the whole datagram, a chained mbuf; it goes on
 *	else:        m is dropped under the drop node defrag_verdict_name(family, v)
 *
 * and once per poll: defrag_expire(t, now_ms, heads, n) for the ICMP errors of timeouts.
 * defrag_burst() does the loop for a burst.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

enum defrag_family {
	DEFRAG_IPV4,
	DEFRAG_IPV6,
	DEFRAG_FAMILIES,
};

enum defrag_verdict {
	DEFRAG_PASS, /* not reassembled: the packet goes on as it is */
	DEFRAG_HELD, /* kept in the table until its datagram is whole */
	DEFRAG_DONE, /* *m is the whole datagram */
	/*
	 * Drops, named "defrag4_<name>" / "defrag6_<name>" (defrag_verdict_name()). Those that
	 * end the datagram free its held fragments too, counted in defrag_stats.freed.
	 */
	DEFRAG_DROP_NO_MEMORY, /* over high_thresh (inet_frag_find() fails), or the table full */
	DEFRAG_DROP_DUPLICATE, /* inside what was received already: the datagram goes on */
	DEFRAG_DROP_OVERLAP,   /* overlaps another fragment: datagram dropped (RFC 5722) */
	DEFRAG_DROP_MALFORMED, /* lengths at odds with the datagram's; IPv4: datagram dropped */
	DEFRAG_DROP_OVERSIZE,  /* over 65535 bytes: IPv4 the datagram, whole; IPv6 the fragment */
	DEFRAG_DROP_ECN,       /* ECN codepoints that cannot be merged: datagram dropped */
	DEFRAG_DROP_TOO_MANY_HOLES, /* over DEFRAG_MAX_HOLES gaps at once: datagram dropped */
	DEFRAG_DROP_TRUNCATED,	    /* shorter than its own headers */
	/* not verdicts: why held fragments were freed. A datagram that timed out */
	DEFRAG_DROP_TIMEOUT,
	/* IPv4: more than ipfrag_max_dist fragments from its source since its last one */
	DEFRAG_DROP_TOO_FAR,
	DEFRAG_VERDICTS,
};

/*
 * Most separate pieces (runs of contiguous fragments) one datagram may have at a time. Linux
 * keeps them in an rb-tree without a bound; here adjacent pieces are merged as they come, so
 * only fragments arriving in scattered order use more than one, and a bound keeps a queue's
 * size fixed.
 */
#define DEFRAG_MAX_HOLES 32

/* Counters of one table (one worker, one family), read by the control thread. */
struct defrag_stats {
	uint64_t reassembled; /* datagrams made whole (Linux: IPSTATS_MIB_REASMOKS) */
	uint64_t failed;      /* datagrams given up (IPSTATS_MIB_REASMFAILS) */
	uint64_t timeouts;    /* of which by timeout (IPSTATS_MIB_REASMTIMEOUT) */
	/* held fragments freed with their datagram, by the reason the datagram ended */
	uint64_t freed[DEFRAG_VERDICTS];
};

struct defrag_table;

/*
 * Control thread. A table of at most n_queues datagrams in reassembly at once (a new one past
 * that is DEFRAG_DROP_NO_MEMORY), on a NUMA socket. NULL with fp_error on failure.
 */
struct defrag_table *defrag_table_create(
	enum defrag_family family, unsigned int n_queues, int socket);
/* Frees the table and every fragment it holds, once no worker uses it. NULL is fine. */
void defrag_table_free(struct defrag_table *t);
const struct defrag_stats *defrag_table_stats(const struct defrag_table *t);
/* Datagrams in reassembly in the table. */
unsigned int defrag_table_count(const struct defrag_table *t);
/* Bytes held by every table of the family (what high_thresh bounds). */
uint64_t defrag_mem_used(enum defrag_family family);

/* The drop nodes' names, f "4" or "6", by verdict; the drops' also by edge (defrag_node.c). */
#define DEFRAG_DROP_NAMES(f, base)                                                                 \
	[(base) + DEFRAG_DROP_NO_MEMORY] = "defrag" f "_no_memory",                                \
		  [(base) + DEFRAG_DROP_DUPLICATE] = "defrag" f "_duplicate",                      \
		  [(base) + DEFRAG_DROP_OVERLAP] = "defrag" f "_overlap",                          \
		  [(base) + DEFRAG_DROP_MALFORMED] = "defrag" f "_malformed",                      \
		  [(base) + DEFRAG_DROP_OVERSIZE] = "defrag" f "_oversize",                        \
		  [(base) + DEFRAG_DROP_ECN] = "defrag" f "_ecn",                                  \
		  [(base) + DEFRAG_DROP_TOO_MANY_HOLES] = "defrag" f "_too_many_holes",            \
		  [(base) + DEFRAG_DROP_TRUNCATED] = "defrag" f "_truncated"
#define DEFRAG_NAMES(f)                                                                            \
	{                                                                                          \
		[DEFRAG_PASS] = "defrag" f "_pass", [DEFRAG_HELD] = "defrag" f "_held",            \
		[DEFRAG_DONE] = "defrag" f "_done",                                                \
		DEFRAG_DROP_NAMES(f, 0), [DEFRAG_DROP_TIMEOUT] = "defrag" f "_timeout",            \
		[DEFRAG_DROP_TOO_FAR] = "defrag" f "_too_far",                                     \
	}

/* "defrag4_overlap", "defrag6_timeout"...: the drop node of a verdict. */
const char *defrag_verdict_name(enum defrag_family family, enum defrag_verdict v);

/*
 * IPv4. *m starts at a valid IPv4 header (ip4_input's checks passed: version, length,
 * checksum, total length within the packet), in its first segment; fp_mbuf_priv(*m)->vrf set.
 * The key is Linux's: source, destination, identification, protocol and VRF (the l3mdev).
 */
static inline bool defrag4_is_fragment(const struct rte_ipv4_hdr *ip)
{
	return (ip->fragment_offset &
		       rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
}
/* A packet that is not a fragment is DEFRAG_PASS. */
enum defrag_verdict defrag4_input(struct defrag_table *t, struct rte_mbuf **m, uint64_t now_ms);
/* The hash of the datagram's key: every fragment of it gives the same, on any worker. */
uint32_t defrag4_owner_hash(const struct rte_mbuf *m);

/*
 * IPv6. *m starts at an IPv6 header that passed ip6_input's checks (version, payload length
 * within the packet), its headers up to the fragment header in the first segment;
 * fp_mbuf_priv(*m)->iface_in set. A packet without a fragment header is DEFRAG_PASS, as are
 * what nf_ct_frag6_gather() lets through: a jumbogram, a first fragment whose header chain
 * is incomplete (RFC 7112; the host answers it), a non-last fragment whose length is not a
 * multiple of 8 (its datagram is dropped; the host answers it with a parameter problem). The
 * key is nf_conntrack_reasm's: source, destination, identification and input interface.
 */
enum defrag_verdict defrag6_input(struct defrag_table *t, struct rte_mbuf **m, uint64_t now_ms);
/*
 * As defrag4_owner_hash(), into *hash: true for a fragment, false for a packet without a
 * fragment header (no hand-off: any worker will do).
 */
bool defrag6_owner_hash(const struct rte_mbuf *m, uint32_t *hash);

/* The worker, of n, that owns the datagram of hash h. */
static inline unsigned int defrag_owner(uint32_t h, unsigned int n)
{
	return (unsigned int)(((uint64_t)h * n) >> 32);
}

/*
 * Per poll, on the table's worker: the datagrams older than their family's timeout (ipfrag_time,
 * nf_conntrack_frag6_timeout, taken when their first fragment came, as Linux arms its timer)
 * are dropped and counted. Those whose first fragment (offset 0) had come give it back in
 * heads[] (up to max; the others are freed), for an ICMP time exceeded, code 1 (fragment
 * reassembly time exceeded), quoting it:
 * - IPv6: always, as nf_ct_frag6_expire() does;
 * - IPv4: only if its destination is local to the router, as ip_expire() does for conntrack's
 *   defrag users: the caller looks the route up, and drops the head if it is not local.
 * Returns how many heads. One comparison when nothing expires.
 */
unsigned int defrag_expire(
	struct defrag_table *t, uint64_t now_ms, struct rte_mbuf **heads, unsigned int max);

/*
 * A burst in: pkts[0..n). Out: the packets that go on (passed, and whole datagrams) packed at
 * the front of pkts[], in order, their count returned; the drops in drops[] with their
 * verdicts in reasons[] (*n_drops, at most n).
 */
uint16_t defrag_burst(struct defrag_table *t, struct rte_mbuf **pkts, uint16_t n, uint64_t now_ms,
	struct rte_mbuf **drops, uint8_t *reasons, uint16_t *n_drops);

/*
 * A reassembled datagram carries the size of the largest fragment it came in, header
 * included (Linux's IPCB(skb)->frag_max_size / IP6CB(skb)->frag_max_size), in its metadata:
 * fp_mbuf_frag_max_size() (graph/mbuf.h), 0 for any other packet. IPv4's is the largest
 * fragment's length; IPv6's 40 + the largest payload length. The IPv4 and IPv6 output steps cut
 * a datagram longer than it again (ip4_fragment(), ip6_fragment()), knowing nothing of defrag.
 */
