/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

struct rte_ring;

/*
 * Connection tracking core, nf_conntrack's model (docs/conntrack.md). The hook nodes
 * (ct_hook.c) call, per burst,
 *
 *	prerouting / output:	ct_parse() each packet, then ct_in_bulk() over the burst:
 *				every packet gets its entry, direction and ctinfo
 *				(new/established/related/invalid), an unconfirmed entry for a
 *				new flow;
 *	postrouting / input:	ct_confirm() each packet: a new entry enters the table (or
 *				clashes with one another worker inserted meanwhile);
 *	a drop in between:	ct_abort() for a packet that holds an unconfirmed entry, or
 *				ct_walk_end() at the end of the walk gives it back (the hook
 *				nodes leave it to that: a drop node need not know).
 *
 * A packet's entry pointer is valid until its worker's next RCU quiescent state (the end of
 * its graph walk, where ct_walk_end() runs): a packet must not carry it across workers.
 *
 * Time is passed in (now_ms, a monotonic clock in ms) so that tests inject their own; entries
 * expire to the second.
 */

enum ct_dir { CT_DIR_ORIGINAL, CT_DIR_REPLY };

/* Linux's enum ip_conntrack_info, and the nft "ct state" each maps to. */
enum ct_info {
	CT_ESTABLISHED,	      /* IP_CT_ESTABLISHED */
	CT_RELATED,	      /* IP_CT_RELATED */
	CT_NEW,		      /* IP_CT_NEW */
	CT_ESTABLISHED_REPLY, /* IP_CT_ESTABLISHED_REPLY */
	CT_RELATED_REPLY,     /* IP_CT_RELATED_REPLY */
	CT_INVALID,	      /* no entry: "ct state invalid" */
	CT_UNTRACKED,	      /* notrack (raw table): "ct state untracked" */
	CT_DROP,	      /* a new flow and the table full: drop (ct_table_full) */
};

/* Status bits, Linux's IPS_* values (the NAT bits come with NAT). */
enum {
	CT_S_SEEN_REPLY = 1u << 1, /* IPS_SEEN_REPLY */
	CT_S_ASSURED = 1u << 2,	   /* IPS_ASSURED */
	CT_S_CONFIRMED = 1u << 3,  /* IPS_CONFIRMED */
	CT_S_DYING = 1u << 9,	   /* IPS_DYING: unlinked or being unlinked */
};

enum ct_tcp_state {
	CT_TCP_NONE,
	CT_TCP_SYN_SENT,
	CT_TCP_SYN_RECV,
	CT_TCP_ESTABLISHED,
	CT_TCP_FIN_WAIT,
	CT_TCP_CLOSE_WAIT,
	CT_TCP_LAST_ACK,
	CT_TCP_TIME_WAIT,
	CT_TCP_CLOSE,
	CT_TCP_SYN_SENT2,
	CT_TCP_MAX, /* sIV: invalid */
	CT_TCP_IGNORE,
};

/*
 * nf_conntrack_tuple: addresses of either family (network order; IPv4 in the first 4 bytes,
 * the rest zero), ports in host order; ICMP: sport is the identifier, dport type << 8 | code.
 * zone is the VRF. Padding-free and compared as a whole: always fill a zeroed tuple.
 */
struct ct_tuple {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport, dport;
	uint16_t zone;
	uint8_t family; /* AF_INET, AF_INET6 */
	uint8_t proto;	/* IPPROTO_* */
};

/* One direction of a TCP connection (struct ip_ct_tcp_state). */
struct ct_tcp_dir {
	uint32_t td_end, td_maxend, td_maxwin, td_maxack;
	uint8_t td_scale, flags;
};

struct ct_tcp {
	struct ct_tcp_dir seen[2];
	uint32_t last_seq, last_ack, last_end;
	uint16_t last_win;
	uint8_t state; /* enum ct_tcp_state */
	uint8_t last_dir, last_index, last_wscale, last_flags, retrans;
};

/* A tuple in a hash chain; an entry has one per direction. */
struct ct_hnode {
	struct ct_hnode *next; /* RCU-published */
	struct ct_tuple t;
};

/*
 * One connection, reachable from both directions' tuples. 192 bytes (three cache lines).
 * The table's lock-free readers only read h[], status and expires; the protocol state is
 * written under lock (TCP) or by atomics on status (UDP, ICMP).
 */
struct ct_entry {
	struct ct_hnode h[2];
	uint32_t status;  /* CT_S_*, atomic */
	uint32_t expires; /* table clock, seconds; expired when now >= expires */
	uint32_t mark;
	rte_spinlock_t lock; /* the TCP state: both directions may be on two workers */
	union {
		struct ct_tcp tcp;
		uint32_t
			udp_stream_ts; /* UDP: replied packets after this second make it a stream */
	};
	uint16_t pending;	/* unconfirmed: packets of the creator's burst holding it */
	struct ct_entry *limbo; /* unlinked: the list awaiting its grace period */
} __attribute__((aligned(64)));

/*
 * What a hook node knows of a packet, filled by ct_parse(); ct_in_bulk() and ct_confirm()
 * write the result fields.
 */
struct ct_pkt {
	struct ct_tuple t; /* the packet's own tuple */
	const uint8_t *l3; /* IP header */
	const uint8_t *l4; /* L4 header */
	uint32_t l4_len;   /* L4 header and payload, bytes */
	uint32_t hash;	   /* of t */
	bool icmp_error;   /* an ICMP error: t is the quoted packet's tuple, inverted */
	/* results */
	struct ct_entry *ct; /* NULL when invalid or untracked */
	uint8_t info;	     /* enum ct_info */
	uint8_t dir;	     /* enum ct_dir of the packet in ct */
};

/* Per worker (and one for the control thread), not shared: counters and an entry cache. */
#define CT_CACHE 64
/* new entries one graph walk may make (a walk takes at most 64 packets per RX queue) */
#define CT_WALK_NEW 1024
struct ct_worker {
	unsigned int rcu_id; /* this thread's id in the table's QSBR variable */
	uint32_t n_cache;
	uint32_t cache[CT_CACHE];
	/* the entries made since the last ct_walk_end(): each confirmed, discarded or abandoned */
	uint32_t n_walk_new;
	struct ct_entry *walk_new[CT_WALK_NEW];
	/* conntrack -S's counters */
	uint64_t found, invalid, insert, insert_failed, drop, early_drop, clash_resolve, new_;
	uint64_t error;	     /* packets ct_parse() refused: the hook node counts them */
	uint64_t table_full; /* ct_table_full: a new flow dropped, no entry to evict */
	/* events (conntrack -E): this burst's copy of ct_events_on, and the ring they go to */
	bool ev_on;
	struct rte_ring *ev;
	uint64_t ev_lost; /* events the ring had no room for */
};

struct ct_table;

/* Sizes: capacity is the most entries the table holds (nf_conntrack_max is capped to it). */
struct ct_table_params {
	uint32_t capacity;
	struct rte_rcu_qsbr *rcu; /* the workers' QSBR variable (fp_rcu) */
};

/*
 * Allocates the table in anonymous memory with MADV_HUGEPAGE, pre-faulted (no page fault on
 * a worker): 0 or <0 with fp_error.
 */
int ct_table_create(const struct ct_table_params *p, struct ct_table **out);
/* Control thread, with the workers stopped. */
void ct_table_destroy(struct ct_table *t);
/* Bytes of memory per entry the table can hold (entry, buckets, free list, slack). */
size_t ct_table_bytes_per_entry(const struct ct_table *t);
uint32_t ct_table_count(const struct ct_table *t);
uint32_t ct_table_capacity(const struct ct_table *t);

/*
 * The packet at l3 (len bytes from the IP header on, a whole datagram: defragmentation comes
 * first) into p: 0, or -EINVAL when it cannot be tracked (truncated, a non-first fragment):
 * such a packet is invalid.
 */
int ct_parse(struct ct_pkt *p, uint8_t family, const void *l3, uint32_t len, uint16_t zone);

/*
 * nf_conntrack_in() over a burst of parsed packets: lookup, else a new unconfirmed entry,
 * then the protocol tracker. Each p->info, p->ct, p->dir is set. Two packets of one new flow
 * in the same burst share their unconfirmed entry.
 */
void ct_in_bulk(struct ct_table *t, struct ct_worker *w, struct ct_pkt *const pkts[], uint16_t n,
	uint64_t now_ms);

/*
 * __nf_conntrack_confirm(): a packet holding an unconfirmed entry puts it in the table. 0 (the
 * packet goes on; p->ct may now be another worker's entry for the same flow: a resolved
 * clash), or -EEXIST: the packet must be dropped (insert_failed, as Linux for TCP).
 * A no-op for confirmed entries.
 */
int ct_confirm(struct ct_table *t, struct ct_worker *w, struct ct_pkt *p, uint64_t now_ms);
/* A packet holding an unconfirmed entry is dropped before confirmation. */
void ct_abort(struct ct_table *t, struct ct_worker *w, struct ct_pkt *p);
/*
 * The end of the worker's graph walk (before its quiescent state): the new entries it made
 * that were not confirmed go back to the pool, those whose packets were dropped on the way
 * without ct_abort() too (Linux frees an unconfirmed entry with its last skb). Until then a
 * discarded entry is not reused, so that the walk's list stays exact.
 */
void ct_walk_end(struct ct_table *t, struct ct_worker *w);

/* An entry's id (its index + 1; 0 is none), for packet metadata that has no room for a pointer. */
uint32_t ct_entry_id(const struct ct_table *t, const struct ct_entry *e);
struct ct_entry *ct_entry_by_id(const struct ct_table *t, uint32_t id);

/*
 * Control thread, every tick: looks at budget buckets for expired entries, unlinks them,
 * frees those whose grace period ended. Never waits. Returns the entries unlinked.
 */
uint32_t ct_gc(struct ct_table *t, struct ct_worker *w, uint64_t now_ms, uint32_t budget);
/* Buckets in the table (a whole sweep is this many ct_gc() budget). */
uint32_t ct_table_buckets(const struct ct_table *t);
/* Unlinks every entry (conntrack -F); freed after the grace period by ct_gc(). */
void ct_flush(struct ct_table *t, struct ct_worker *w);
/*
 * Unlinks e (conntrack -D), from the control thread, freed after the grace period by ct_gc():
 * false if it was already going. Safe inside ct_walk().
 */
bool ct_delete(struct ct_table *t, struct ct_entry *e);

/* Lookup of a tuple (control thread, tests): the entry and the tuple's direction, or NULL. */
struct ct_entry *ct_lookup(
	struct ct_table *t, const struct ct_tuple *tuple, uint64_t now_ms, enum ct_dir *dir);
/* Walk of the live entries (once each), control thread: stops at fn's non-zero return. */
int ct_walk(struct ct_table *t, uint64_t now_ms, int (*fn)(const struct ct_entry *e, void *arg),
	void *arg);
/*
 * The same over buckets [first, first + n) only (ct_table_buckets() in all): each entry is in
 * one bucket, so a walk resumed at the next bucket sees each entry once (a streamed list).
 */
int ct_walk_buckets(struct ct_table *t, uint64_t now_ms, uint32_t first, uint32_t n,
	int (*fn)(const struct ct_entry *e, void *arg), void *arg);

/* The tuple seen from the other side (nf_ct_invert_tuple): false if it has none (ICMP). */
bool ct_tuple_invert(struct ct_tuple *inv, const struct ct_tuple *t);
/* Seconds left to e at now_ms (0 once expired). */
uint32_t ct_entry_timeout(const struct ct_table *t, const struct ct_entry *e, uint64_t now_ms);

/* Timeouts and tracker knobs: Linux's sysctls net.netfilter.nf_conntrack_* (ct_sysctl.c). */
extern int32_t ct_max, ct_tcp_be_liberal, ct_tcp_loose, ct_tcp_max_retrans;
extern int32_t ct_tcp_timeouts[CT_TCP_MAX + 4]; /* per state, then retrans, unack */
#define CT_TCP_T_RETRANS (CT_TCP_MAX + 2)
#define CT_TCP_T_UNACK	 (CT_TCP_MAX + 3)
extern int32_t ct_udp_timeout, ct_udp_timeout_stream, ct_icmp_timeout, ct_icmpv6_timeout,
	ct_generic_timeout;

/* conntrack-tools' output (ct_fmt.c) */

const char *ct_tcp_state_name(uint8_t state);
/* The line `conntrack -L` prints for e (no newline), in buf: its length, as snprintf. */
int ct_format(const struct ct_table *t, const struct ct_entry *e, uint64_t now_ms, char *buf,
	size_t size);
/* A worker's counters as `conntrack -S` prints a CPU's line (no newline). */
int ct_stats_format(unsigned int cpu, const struct ct_worker *w, char *buf, size_t size);
/* The entry as fastpathctl's -j prints it (a new reference). */
json_t *ct_entry_json(const struct ct_table *t, const struct ct_entry *e, uint64_t now_ms);

/* conntrack's filters: -p, -s, -d, --sport, --dport, --state, -w (zone), -f (family). */
struct ct_filter {
	uint8_t proto;	/* 0: any */
	uint8_t family; /* AF_INET, AF_INET6; 0: any */
	bool has_src, has_dst;
	uint8_t src_family, dst_family;
	uint8_t src[16], dst[16]; /* the original direction's */
	int32_t sport, dport;	  /* -1: any */
	int32_t state;		  /* enum ct_tcp_state, -1: any */
	int32_t zone;		  /* -1: any */
};
/*
 * argv (conntrack's own option words, e.g. {"-p", "tcp", "--state", "ESTABLISHED"}) into f:
 * 0 or -EINVAL with fp_error naming the word.
 */
int ct_filter_parse(struct ct_filter *f, int argc, const char *const argv[]);
bool ct_filter_match(const struct ct_filter *f, const struct ct_entry *e);

/*
 * Events, as `conntrack -E` shows them (docs/conntrack.md, "Events"). A worker copies the
 * entry into a small record on its own ring (ct_worker.ev: single producer, the control thread
 * consumes), only when ct_events_on was set as its burst began: nothing is copied, and no
 * line touched, when nobody listens. A full ring counts the event lost (ev_lost), never
 * waits. [NEW] at confirmation, [UPDATE] when a packet sets seen-reply or assured or moves
 * the TCP state, [DESTROY] from the control thread when an entry unlinked (expired, killed,
 * deleted, flushed) starts its grace period.
 */
enum ct_event_type { CT_EV_NEW, CT_EV_UPDATE, CT_EV_DESTROY };

struct ct_event {
	struct ct_tuple orig, reply;
	uint32_t status;
	uint32_t timeout; /* seconds left; 0: none (a destroy on expiry shows none) */
	uint32_t mark;
	uint8_t type;	   /* enum ct_event_type */
	uint8_t tcp_state; /* enum ct_tcp_state */
	uint16_t pad;
};

/* Set by the control thread while someone listens; read once per burst. */
extern bool ct_events_on;
/* Bytes of a ring of n events (a power of 2), for ct_event_ring_init. */
size_t ct_event_ring_size(unsigned int n);
/* A ring of n events in mem (64-aligned, ct_event_ring_size(n) bytes). */
struct rte_ring *ct_event_ring_init(void *mem, unsigned int n);
/* w->ev_on for this burst (ct_in_bulk, ct_gc, ct_flush call it). */
static inline void ct_events_burst(struct ct_worker *w)
{
	w->ev_on = __atomic_load_n(&ct_events_on, __ATOMIC_ACQUIRE) && w->ev != NULL;
}
/* The entry as an event of type onto w's ring (w->ev_on checked by the caller). */
void ct_event_push(
	struct ct_worker *w, const struct ct_entry *e, enum ct_event_type type, uint64_t now_ms);
/* Up to n events from w's ring into evs: how many. Control thread. */
unsigned int ct_event_pull(struct ct_worker *w, struct ct_event *evs, unsigned int n);
/* The line `conntrack -E` prints ("    [NEW] tcp      6 120 SYN_SENT src=..."), no newline. */
int ct_event_format(const struct ct_event *ev, char *buf, size_t size);
/* The event as the monitor's object: ct_entry_json()'s members, "type" and "line". */
json_t *ct_event_json(const struct ct_event *ev);
