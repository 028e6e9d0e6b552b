/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reassembly table of one worker and family: Linux's inet_fragment.c (the queues, their
 * runs of fragments, the memory limit, the timer), without its locks and reference counts as
 * one worker owns the table.
 */
#include "base/fp_error.h"
#include "defrag_priv.h"
#include "graph/mbuf.h"
#include "infra/sysctl.h"

#include <errno.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_malloc.h>

/*
 * The knobs, at Linux 6.1's defaults. conntrack's IPv4 defragmentation shares ipfrag_* with
 * the host's (ip_defrag()), IPv6's has its own (nf_conntrack_frag6_*, nf_ct_frag6_init());
 * the host's net.ipv6.ip6frag_* are the kernel twin's, which reassembles what is for the
 * router. As since Linux 4.17, low_thresh no longer evicts anything: past high_thresh
 * fragments are refused until timeouts or completions free memory.
 */
static SYSCTL_INT(ipfrag_high_thresh, "net.ipv4.ipfrag_high_thresh", 0, INT32_MAX, 4194304,
	"bytes of buffers IPv4 fragments in reassembly may hold, all workers together; past it "
	"fragments are dropped (defrag4_no_memory)");
static SYSCTL_INT(ipfrag_low_thresh, "net.ipv4.ipfrag_low_thresh", 0, INT32_MAX, 3145728,
	"kept for Linux's tools: unused, as in Linux since 4.17 (nothing is evicted)");
static SYSCTL_INT(ipfrag_time, "net.ipv4.ipfrag_time", 0, INT32_MAX / 1000, 30,
	"seconds an IPv4 datagram has, from its first fragment, to be whole");
static SYSCTL_INT(frag6_high_thresh, "net.netfilter.nf_conntrack_frag6_high_thresh", 0, INT32_MAX,
	4194304,
	"bytes of buffers IPv6 fragments in reassembly may hold, all workers together; past it "
	"fragments are dropped (defrag6_no_memory)");
static SYSCTL_INT(frag6_low_thresh, "net.netfilter.nf_conntrack_frag6_low_thresh", 0, INT32_MAX,
	3145728, "kept for Linux's tools: unused, as in Linux since 4.17 (nothing is evicted)");
static SYSCTL_INT(frag6_timeout, "net.netfilter.nf_conntrack_frag6_timeout", 0, INT32_MAX / 1000,
	60, "seconds an IPv6 datagram has, from its first fragment, to be whole");

static const int32_t *const high_thresh[DEFRAG_FAMILIES] = {
	&ipfrag_high_thresh, &frag6_high_thresh};
static const int32_t *const timeout_s[DEFRAG_FAMILIES] = {&ipfrag_time, &frag6_timeout};

/* Bytes held, per family, by every table: Linux's fqdir->mem. */
static uint64_t mem_used[DEFRAG_FAMILIES];

struct defrag_table {
	enum defrag_family family;
	uint32_t n_queues;
	uint32_t bucket_mask;
	uint32_t count;
	uint32_t free_list; /* through hash_next */
	uint32_t oldest, newest;
	uint32_t *buckets;
	struct defrag_stats stats;
	struct defrag_queue q[];
};

void defrag_set_frag_max_size(struct rte_mbuf *m, uint16_t size)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);

	/* the fragments' receive offloads say nothing of the whole */
	m->ol_flags = 0;
	priv->flags |= FP_MBUF_FRAG_MAX;
	priv->frag_max_size = size;
}

struct defrag_table *defrag_table_create(
	enum defrag_family family, unsigned int n_queues, int socket)
{
	struct defrag_table *t;
	uint32_t n_buckets;

	if (n_queues == 0 || n_queues > (1u << 24))
		return fp_error(-EINVAL, "defrag: %u queues", n_queues), NULL;
	n_buckets = rte_align32pow2(n_queues * 2);
	t = rte_zmalloc_socket(
		"defrag", sizeof(*t) + n_queues * sizeof(t->q[0]), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL)
		return fp_error(-ENOMEM, "defrag: no memory for %u queues", n_queues), NULL;
	t->buckets = rte_malloc_socket(
		"defrag", n_buckets * sizeof(t->buckets[0]), RTE_CACHE_LINE_SIZE, socket);
	if (t->buckets == NULL) {
		rte_free(t);
		return fp_error(-ENOMEM, "defrag: no memory for %u queues", n_queues), NULL;
	}
	memset(t->buckets, 0xff, n_buckets * sizeof(t->buckets[0]));
	t->family = family;
	t->n_queues = n_queues;
	t->bucket_mask = n_buckets - 1;
	for (uint32_t i = 0; i < n_queues; i++)
		t->q[i].hash_next = i + 1 < n_queues ? i + 1 : DEFRAG_NONE;
	t->free_list = 0;
	t->oldest = t->newest = DEFRAG_NONE;
	return t;
}

void defrag_table_free(struct defrag_table *t)
{
	if (t == NULL)
		return;
	while (t->oldest != DEFRAG_NONE)
		defrag_kill(t, &t->q[t->oldest], DEFRAG_DROP_TIMEOUT);
	rte_free(t->buckets);
	rte_free(t);
}

const struct defrag_stats *defrag_table_stats(const struct defrag_table *t)
{
	return &t->stats;
}

unsigned int defrag_table_count(const struct defrag_table *t)
{
	return t->count;
}

uint64_t defrag_mem_used(enum defrag_family family)
{
	return __atomic_load_n(&mem_used[family], __ATOMIC_RELAXED);
}

const char *defrag_verdict_name(enum defrag_family family, enum defrag_verdict v)
{
	static const char *const names[DEFRAG_FAMILIES][DEFRAG_VERDICTS] = {
		DEFRAG_NAMES("4"),
		DEFRAG_NAMES("6"),
	};

	return family < DEFRAG_FAMILIES && v < DEFRAG_VERDICTS ? names[family][v] : "defrag_?";
}

uint8_t defrag_ecn_merge(uint8_t bits)
{
	/* Linux's ip_frag_ecn_table: bits 1 not-ECT, 2 ECT(1), 4 ECT(0), 8 CE */
	if (bits & 1)
		return bits == 1 ? 0 : 0xff; /* not-ECT mixed with ECN-capable: invalid */
	return bits & 8 ? 3 : 0;	     /* CE wins; else each fragment keeps its own */
}

uint32_t defrag_key_hash(const struct defrag_key *key)
{
	return rte_hash_crc(key, sizeof(*key), 0x6b8b4567);
}

static uint32_t truesize(const struct rte_mbuf *m)
{
	return m->nb_segs * (sizeof(struct rte_mbuf) + rte_pktmbuf_priv_size(m->pool) + m->buf_len);
}

static void mem_add(enum defrag_family f, int64_t delta)
{
	__atomic_fetch_add(&mem_used[f], (uint64_t)delta, __ATOMIC_RELAXED);
}

/* At the young end of the age list, its timer armed from now. */
/*
 * The age list is by expiry: a new queue goes after the last that expires no later (the newest,
 * unless the timeout was lowered since), so that defrag_expire() stops at the first not due, and
 * a lowered timeout does not wait behind older, longer ones (Linux arms one timer a queue).
 */
static void age_push(struct defrag_table *t, struct defrag_queue *q, uint64_t now_ms)
{
	uint32_t i = q - t->q, older = t->newest;

	q->expire_ms = now_ms + (uint64_t)sysctl_read(timeout_s[t->family]) * 1000;
	while (older != DEFRAG_NONE && t->q[older].expire_ms > q->expire_ms)
		older = t->q[older].older;
	q->older = older;
	q->newer = older != DEFRAG_NONE ? t->q[older].newer : t->oldest;
	if (older != DEFRAG_NONE)
		t->q[older].newer = i;
	else
		t->oldest = i;
	if (q->newer != DEFRAG_NONE)
		t->q[q->newer].older = i;
	else
		t->newest = i;
}

static void age_unlink(struct defrag_table *t, struct defrag_queue *q)
{
	if (q->older != DEFRAG_NONE)
		t->q[q->older].newer = q->newer;
	else
		t->oldest = q->newer;
	if (q->newer != DEFRAG_NONE)
		t->q[q->newer].older = q->older;
	else
		t->newest = q->older;
}

struct defrag_queue *defrag_find(
	struct defrag_table *t, const struct defrag_key *key, uint32_t hash, uint64_t now_ms)
{
	int32_t high = sysctl_read(high_thresh[t->family]);
	uint32_t *b = &t->buckets[hash & t->bucket_mask], i;
	struct defrag_queue *q;

	if (high == 0 || defrag_mem_used(t->family) > (uint64_t)high)
		return NULL;
	for (i = *b; i != DEFRAG_NONE; i = t->q[i].hash_next)
		if (t->q[i].hash == hash && memcmp(&t->q[i].key, key, sizeof(*key)) == 0)
			return &t->q[i];
	if (t->free_list == DEFRAG_NONE)
		return NULL;
	i = t->free_list;
	q = &t->q[i];
	t->free_list = q->hash_next;
	memset(q, 0, offsetof(struct defrag_queue, runs));
	q->key = *key;
	q->hash = hash;
	q->hash_next = *b;
	*b = i;
	age_push(t, q, now_ms);
	t->count++;
	return q;
}

/* Out of the hash and the age list, onto the free list. */
static void unlink_queue(struct defrag_table *t, struct defrag_queue *q)
{
	uint32_t i = q - t->q, *p = &t->buckets[q->hash & t->bucket_mask];

	while (*p != i)
		p = &t->q[*p].hash_next;
	*p = q->hash_next;
	age_unlink(t, q);
	q->hash_next = t->free_list;
	t->free_list = i;
	t->count--;
	mem_add(t->family, -(int64_t)q->truesize);
}

/* Frees what q holds, counted under v. */
static void free_runs(struct defrag_table *t, struct defrag_queue *q, enum defrag_verdict v)
{
	for (unsigned int r = 0; r < q->n_runs; r++) {
		t->stats.freed[v] += q->runs[r].head->nb_segs;
		rte_pktmbuf_free(q->runs[r].head);
	}
	t->stats.failed++;
}

void defrag_kill(struct defrag_table *t, struct defrag_queue *q, enum defrag_verdict v)
{
	free_runs(t, q, v);
	unlink_queue(t, q);
}

void defrag_reinit(struct defrag_table *t, struct defrag_queue *q, uint64_t now_ms)
{
	free_runs(t, q, DEFRAG_DROP_TOO_FAR);
	mem_add(t->family, -(int64_t)q->truesize);
	q->truesize = q->segs = q->meat = q->len = 0;
	q->flags = q->ecn = q->n_runs = q->n_seams = 0;
	/* q->max_size and max_df_size stay, as in ip_frag_reinit() */
	age_unlink(t, q);
	age_push(t, q, now_ms);
}

struct rte_mbuf *defrag_take(struct defrag_table *t, struct defrag_queue *q, bool ok)
{
	struct rte_mbuf *m = q->runs[0].head;

	if (ok)
		t->stats.reassembled++;
	else
		t->stats.failed++;
	unlink_queue(t, q);
	return m;
}

/* Appends the chain from m to tail, ending at end, after run r. */
static void run_append(
	struct defrag_run *r, struct rte_mbuf *m, struct rte_mbuf *tail, uint32_t end)
{
	r->head->nb_segs += m->nb_segs;
	r->head->pkt_len += m->pkt_len;
	r->tail->next = m;
	r->tail = tail;
	r->end = end;
}

/* Whether a seam of q lies inside (offset, end). */
static bool crosses_seam(const struct defrag_queue *q, uint32_t offset, uint32_t end)
{
	for (unsigned int k = 0; k < q->n_seams; k++)
		if (q->seams[k] * 8u > offset && q->seams[k] * 8u < end)
			return true;
	return false;
}

/* Where two of Linux's runs meet inside one of ours (a multiple of 8: a fragment's offset). */
static void add_seam(struct defrag_queue *q, uint32_t at)
{
	if (q->n_seams < DEFRAG_MAX_SEAMS)
		q->seams[q->n_seams++] = (uint16_t)(at / 8);
}

enum defrag_verdict defrag_insert(struct defrag_table *t, struct defrag_queue *q,
	struct rte_mbuf *m, uint32_t offset, uint32_t end)
{
	struct defrag_run *runs = q->runs;
	unsigned int i;

	/*
	 * The first run ending after offset. As inet_frag_queue_insert(), a fragment within one
	 * of Linux's runs is a duplicate, dropped, and one that overlaps anything else ends the
	 * datagram (RFC 5722, applied to IPv4 too since Linux 4.19). Linux's runs are fragments
	 * appended in order past the end of all others; one that comes elsewhere starts a run of
	 * its own, even next to another: here it joins it, and the seam between them is kept.
	 */
	for (i = 0; i < q->n_runs && runs[i].end <= offset; i++)
		;
	if (i < q->n_runs && runs[i].offset < end)
		return offset >= runs[i].offset && end <= runs[i].end &&
				       !crosses_seam(q, offset, end)
			       ? DEFRAG_DROP_DUPLICATE
			       : DEFRAG_DROP_OVERLAP;
	/* the whole must fit in one chain */
	if (q->segs + m->nb_segs > RTE_MBUF_MAX_NB_SEGS)
		return DEFRAG_DROP_TOO_MANY_HOLES;
	q->truesize += truesize(m);
	mem_add(t->family, truesize(m));
	q->meat += end - offset;
	q->segs += m->nb_segs;
	if (i > 0 && runs[i - 1].end == offset) {
		/* after run i - 1: Linux appends only past the end of all */
		if (i < q->n_runs)
			add_seam(q, offset);
		run_append(&runs[i - 1], m, rte_pktmbuf_lastseg(m), end);
		if (i < q->n_runs && runs[i].offset == end) {
			/* and before run i */
			add_seam(q, end);
			run_append(&runs[i - 1], runs[i].head, runs[i].tail, runs[i].end);
			memmove(&runs[i], &runs[i + 1], (q->n_runs - i - 1) * sizeof(runs[0]));
			q->n_runs--;
		}
		return DEFRAG_HELD;
	}
	if (i < q->n_runs && runs[i].offset == end) {
		/* before run i */
		struct defrag_run r = {offset, end, m, rte_pktmbuf_lastseg(m)};

		add_seam(q, end);
		run_append(&r, runs[i].head, runs[i].tail, runs[i].end);
		runs[i] = r;
		return DEFRAG_HELD;
	}
	if (q->n_runs == DEFRAG_MAX_HOLES) {
		q->truesize -= truesize(m);
		mem_add(t->family, -(int64_t)truesize(m));
		q->meat -= end - offset;
		q->segs -= m->nb_segs;
		return DEFRAG_DROP_TOO_MANY_HOLES;
	}
	memmove(&runs[i + 1], &runs[i], (q->n_runs - i) * sizeof(runs[0]));
	runs[i] = (struct defrag_run){offset, end, m, rte_pktmbuf_lastseg(m)};
	q->n_runs++;
	return DEFRAG_HELD;
}

/* The first fragment, alone, out of q's first run (inet_frag_pull_head()). */
static struct rte_mbuf *pull_first(struct defrag_queue *q)
{
	struct rte_mbuf *head = q->runs[0].head;

	fp_mbuf_trim(head, q->first_len);
	q->n_runs = 0;
	return head;
}

unsigned int defrag_expire(
	struct defrag_table *t, uint64_t now_ms, struct rte_mbuf **heads, unsigned int max)
{
	unsigned int n = 0;

	while (t->oldest != DEFRAG_NONE && t->q[t->oldest].expire_ms <= now_ms) {
		struct defrag_queue *q = &t->q[t->oldest];

		t->stats.timeouts++;
		if ((q->flags & DEFRAG_FIRST_IN) && n < max) {
			/* the first fragment is the first of the first run */
			for (unsigned int r = 1; r < q->n_runs; r++) {
				t->stats.freed[DEFRAG_DROP_TIMEOUT] += q->runs[r].head->nb_segs;
				rte_pktmbuf_free(q->runs[r].head);
			}
			t->stats.freed[DEFRAG_DROP_TIMEOUT] +=
				q->runs[0].head->nb_segs - q->first_segs;
			heads[n++] = pull_first(q);
			t->stats.failed++;
			unlink_queue(t, q);
		} else {
			defrag_kill(t, q, DEFRAG_DROP_TIMEOUT);
		}
	}
	return n;
}

uint16_t defrag_burst(struct defrag_table *t, struct rte_mbuf **pkts, uint16_t n, uint64_t now_ms,
	struct rte_mbuf **drops, uint8_t *reasons, uint16_t *n_drops)
{
	enum defrag_verdict (*input)(struct defrag_table *, struct rte_mbuf **, uint64_t) =
		t->family == DEFRAG_IPV4 ? defrag4_input : defrag6_input;
	uint16_t n_out = 0;

	*n_drops = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		enum defrag_verdict v;

		v = input(t, &m, now_ms);
		if (v == DEFRAG_PASS || v == DEFRAG_DONE) {
			pkts[n_out++] = m;
		} else if (v != DEFRAG_HELD) {
			drops[*n_drops] = m;
			reasons[(*n_drops)++] = v;
		}
	}
	return n_out;
}
