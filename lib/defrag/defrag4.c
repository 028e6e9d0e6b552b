/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4: Linux 6.1's ip_defrag() (net/ipv4/ip_fragment.c) and ip_do_fragment()'s cutting. */
#include "defrag_priv.h"
#include "graph/mbuf.h"
#include "infra/sysctl.h"

#include <errno.h>
#include <string.h>

#include <rte_hash_crc.h>

static SYSCTL_INT(ipfrag_max_dist, "net.ipv4.ipfrag_max_dist", 0, INT32_MAX, 64,
	"fragments from one source, in any datagram, after which a datagram of it that got none "
	"of them starts again empty (defrag4_too_far); 0: never");

/*
 * Linux's inet_peer rid: fragments seen from each source (address and VRF), all workers
 * together, for ipfrag_max_dist. A source takes a slot by its hash; one that finds another's
 * there takes it over and checks nothing this time, so sharing a slot may let a datagram go
 * on, never cut one short that Linux would keep.
 */
#define DEFRAG_PEERS 4096
static struct {
	uint32_t tag;
	uint32_t rid;
} peers[DEFRAG_PEERS];

/* ip_frag_too_far() */
static bool too_far(const struct defrag_queue *q, uint32_t *rid)
{
	uint32_t max = (uint32_t)sysctl_read(&ipfrag_max_dist), tag, start;
	uint32_t addr;

	if (max == 0)
		return false;
	memcpy(&addr, q->key.src, 4);
	tag = rte_hash_crc_4byte(addr, q->key.scope) | 1;
	start = q->rid;
	*rid = __atomic_add_fetch(&peers[tag % DEFRAG_PEERS].rid, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&peers[tag % DEFRAG_PEERS].tag, __ATOMIC_RELAXED) != tag) {
		__atomic_store_n(&peers[tag % DEFRAG_PEERS].tag, tag, __ATOMIC_RELAXED);
		return false;
	}
	return q->n_runs > 0 && *rid - start > max;
}

static void key4(const struct rte_mbuf *m, struct defrag_key *key)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

	memset(key, 0, sizeof(*key));
	memcpy(key->src, &ip->src_addr, 4);
	memcpy(key->dst, &ip->dst_addr, 4);
	key->id = ip->packet_id;
	key->proto = ip->next_proto_id;
	key->scope = fp_mbuf_priv((struct rte_mbuf *)(uintptr_t)m)->vrf;
}

uint32_t defrag4_owner_hash(const struct rte_mbuf *m)
{
	struct defrag_key key;

	key4(m, &key);
	return defrag_key_hash(&key);
}

/* ip_frag_reasm(): the header of the whole, or a drop verdict (the chain is then *m). */
static enum defrag_verdict reassemble(
	struct defrag_table *t, struct defrag_queue *q, struct rte_mbuf **m)
{
	uint8_t ecn = defrag_ecn_merge(q->ecn);
	uint32_t len = q->hdr_len + q->len;
	uint16_t df = q->max_df_size == q->max_size ? RTE_IPV4_HDR_DF_FLAG : 0;
	uint16_t frag_max_size = RTE_MAX(q->max_size, q->max_df_size);
	uint16_t iface_in = fp_mbuf_priv(*m)->iface_in;
	bool ok = ecn != 0xff && len <= RTE_IPV4_MAX_PKT_LEN;
	struct rte_mbuf *head = defrag_take(t, q, ok);
	struct rte_ipv4_hdr *ip;

	*m = head;
	if (ecn == 0xff)
		return DEFRAG_DROP_ECN;
	if (!ok)
		return DEFRAG_DROP_OVERSIZE; /* "Oversized IP packet" */
	ip = rte_pktmbuf_mtod(head, struct rte_ipv4_hdr *);
	ip->total_length = rte_cpu_to_be_16(len);
	/* DF stays only if every fragment had it (then IPSKB_FRAG_PMTU: fragments keep it) */
	ip->fragment_offset = rte_cpu_to_be_16(df);
	ip->type_of_service |= ecn;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	/* the whole goes on from where its last fragment came, as the skb Linux morphs */
	fp_mbuf_priv(head)->iface_in = iface_in;
	defrag_set_frag_max_size(head, frag_max_size);
	return DEFRAG_DONE;
}

enum defrag_verdict defrag4_input(struct defrag_table *t, struct rte_mbuf **mp, uint64_t now_ms)
{
	struct rte_mbuf *m = *mp;
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint16_t hlen = rte_ipv4_hdr_len(ip), tot = rte_be_to_cpu_16(ip->total_length),
		 fo = rte_be_to_cpu_16(ip->fragment_offset);
	uint32_t offset = (uint32_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) * 8, end;
	uint8_t tos = ip->type_of_service;
	enum defrag_verdict v = DEFRAG_DROP_MALFORMED;
	struct defrag_queue *q;
	struct defrag_key key;
	uint32_t hash;

	if (!defrag4_is_fragment(ip))
		return DEFRAG_PASS;
	if (tot < hlen || m->pkt_len < tot || m->data_len < hlen)
		return DEFRAG_DROP_TRUNCATED;
	key4(m, &key);
	hash = defrag_key_hash(&key);
	q = defrag_find(t, &key, hash, now_ms);
	if (q == NULL)
		return DEFRAG_DROP_NO_MEMORY;

	/* ip_frag_queue(), step by step */
	if (too_far(q, &q->rid))
		defrag_reinit(t, q, now_ms);
	end = offset + tot - hlen;
	if (!(fo & RTE_IPV4_HDR_MF_FLAG)) {
		/* bytes beyond the end, or another end: the datagram is corrupt */
		if (end < q->len || ((q->flags & DEFRAG_LAST_IN) && end != q->len))
			goto discard_qp;
		q->flags |= DEFRAG_LAST_IN;
		q->len = end;
	} else {
		end &= ~7u; /* a non-last fragment's tail past a multiple of 8 is ignored */
		if (end > q->len) {
			if (q->flags & DEFRAG_LAST_IN)
				goto discard_qp;
			q->len = end;
		}
	}
	if (end == offset)
		goto discard_qp;
	/* the first keeps its header for the whole; the others lose theirs */
	if (offset > 0)
		rte_pktmbuf_adj(m, hlen);
	fp_mbuf_trim(m, (offset == 0 ? hlen : 0) + end - offset);

	v = defrag_insert(t, q, m, offset, end);
	if (v == DEFRAG_DROP_DUPLICATE)
		return v;
	if (v != DEFRAG_HELD)
		goto discard_qp;
	q->ecn |= defrag_ecn_bit(tos);
	if (offset == 0) {
		q->flags |= DEFRAG_FIRST_IN;
		q->hdr_len = hlen;
		q->first_len = m->pkt_len;
		q->first_segs = m->nb_segs;
	}
	if (hlen + end - offset > q->max_size)
		q->max_size = hlen + end - offset;
	if ((fo & RTE_IPV4_HDR_DF_FLAG) && hlen + end - offset > q->max_df_size)
		q->max_df_size = hlen + end - offset;
	if (!defrag_whole(q))
		return DEFRAG_HELD;
	*mp = m;
	return reassemble(t, q, mp);

discard_qp:
	defrag_kill(t, q, v);
	return v;
}
