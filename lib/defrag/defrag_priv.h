/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/* What defrag.c (the table, Linux's inet_fragment.c) shares with defrag4.c and defrag6.c. */

#include "defrag.h"

/* A datagram's identity: Linux's frag_v4_compare_key / frag_v6_compare_key. */
struct defrag_key {
	uint8_t src[16], dst[16]; /* IPv4: the first 4 bytes */
	uint32_t id;		  /* identification, as in the packet */
	uint16_t scope;		  /* IPv4: the VRF; IPv6: the input interface */
	uint8_t proto;		  /* IPv4: the protocol; IPv6: 0 */
	uint8_t zero;
};

/* Contiguous fragments, as one mbuf chain; offsets in the fragmentable part, in bytes. */
struct defrag_run {
	uint32_t offset, end;
	struct rte_mbuf *head, *tail; /* tail: the last segment */
};

#define DEFRAG_FIRST_IN 0x01 /* INET_FRAG_FIRST_IN: the fragment at offset 0 came */
#define DEFRAG_LAST_IN	0x02 /* INET_FRAG_LAST_IN: the one without MF came */

/*
 * Seams kept per datagram: fragments arriving in reverse order make one each, so a 64 KiB
 * datagram in 1500-byte fragments has 43. Past that many, a fragment across the others is a
 * duplicate where Linux would find an overlap.
 */
#define DEFRAG_MAX_SEAMS 64

/* inet_frag_queue with ipq's / frag_queue's fields. */
struct defrag_queue {
	struct defrag_key key;
	uint32_t hash;
	uint32_t hash_next;    /* next in the bucket, DEFRAG_NONE at the end */
	uint32_t older, newer; /* age list, by creation */
	uint64_t expire_ms;    /* the timer, armed at creation as inet_frag_create() */
	uint32_t len;	       /* q.len: the datagram's length as known so far */
	uint32_t meat;	       /* q.meat: bytes received */
	uint32_t truesize;     /* bytes of buffers held */
	uint32_t segs;	       /* segments held */
	uint16_t hdr_len;      /* bytes before the fragmentable part in the first fragment */
	uint16_t nhoff;	       /* IPv6: the byte naming the fragment header */
	uint16_t first_len;    /* the first fragment's length, header included */
	uint16_t first_segs;   /* and its segments: the head of the chain */
	uint16_t max_size;     /* q.max_size */
	uint16_t max_df_size;  /* IPv4: max_df_size */
	uint8_t flags;	       /* DEFRAG_FIRST_IN, DEFRAG_LAST_IN */
	uint8_t ecn;	       /* IPFRAG_ECN_* of every fragment, or-ed */
	uint8_t n_runs;
	uint8_t n_seams;
	uint32_t rid; /* IPv4: the source's fragment count at this queue's last fragment */
	struct defrag_run runs[DEFRAG_MAX_HOLES]; /* by offset, none adjacent or overlapping */
	uint16_t seams[DEFRAG_MAX_SEAMS];	  /* where Linux's runs meet inside ours, / 8 */
};

#define DEFRAG_NONE UINT32_MAX

/* ip_frag_ecn_table's input: one bit per ECN codepoint seen (include/net/inet_ecn.h) */
static inline uint8_t defrag_ecn_bit(uint8_t tos)
{
	return 1u << (tos & 3);
}
/* The ECN codepoint of the whole, or 0xff if the fragments' cannot be merged. */
uint8_t defrag_ecn_merge(uint8_t bits);

uint32_t defrag_key_hash(const struct defrag_key *key);

/*
 * The queue of key, created if new, as inet_frag_find(): NULL (DEFRAG_DROP_NO_MEMORY) if the
 * family holds more than its high_thresh, or the table has no room.
 */
struct defrag_queue *defrag_find(
	struct defrag_table *t, const struct defrag_key *key, uint32_t hash, uint64_t now_ms);

/*
 * Puts m, trimmed to [offset, end) of the fragmentable part (the first fragment with its
 * headers before), in q, as inet_frag_queue_insert(): DEFRAG_HELD, DEFRAG_DROP_DUPLICATE (m is
 * inside what q has), DEFRAG_DROP_OVERLAP or DEFRAG_DROP_TOO_MANY_HOLES (m not taken).
 */
enum defrag_verdict defrag_insert(struct defrag_table *t, struct defrag_queue *q,
	struct rte_mbuf *m, uint32_t offset, uint32_t end);

/* Whether every byte of q came: inet_frag's FIRST_IN | LAST_IN and meat == len. */
static inline bool defrag_whole(const struct defrag_queue *q)
{
	return q->flags == (DEFRAG_FIRST_IN | DEFRAG_LAST_IN) && q->meat == q->len;
}

/*
 * q is whole: its chain, taken out of the table (q is gone), counted reassembled if ok (the
 * caller fixes the headers), else failed (the caller drops the chain as one packet).
 */
struct rte_mbuf *defrag_take(struct defrag_table *t, struct defrag_queue *q, bool ok);

/* Drops q and every fragment it holds, counted under v (inet_frag_kill(), REASMFAILS). */
void defrag_kill(struct defrag_table *t, struct defrag_queue *q, enum defrag_verdict v);

/*
 * ip_frag_reinit(): q starts again, empty, its timer re-armed; what it held is freed, counted
 * under DEFRAG_DROP_TOO_FAR.
 */
void defrag_reinit(struct defrag_table *t, struct defrag_queue *q, uint64_t now_ms);

/* The reassembled datagram's frag_max_size, set by the family's reassembly. */
void defrag_set_frag_max_size(struct rte_mbuf *m, uint16_t size);
