/* SPDX-License-Identifier: BSD-3-Clause */
#include "ct_priv.h"
#include "base/fp_error.h"
#include "infra/sysctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include <rte_common.h>
#include <rte_prefetch.h>

/*
 * The table (docs/conntrack.md, "Table").
 *
 * Lookups take no lock: chains of ct_hnode published with release stores, walked with
 * acquire loads; an entry unlinked is freed only after every worker went through a quiescent
 * state (rte_rcu_qsbr), so a worker standing on it keeps reading valid memory.
 *
 * Writers (a worker confirming a new entry, killing one for early drop or a TCP reopen; the
 * control thread's expiry) take the spinlocks of the two buckets the entry's tuples hash to,
 * striped over CT_LOCKS locks, always the lower stripe first: Linux's per-bucket locks
 * (nf_conntrack_double_lock). A lock-free insert would need both directions' nodes inserted
 * atomically and a clash check that sees the other worker's insert: two CASes cannot do that,
 * and inserts (new flows) are rare next to lookups; the stripes keep two workers inserting
 * different flows from meeting on a lock.
 *
 * Only the control thread frees entries: those it unlinked for expiry and those the workers
 * unlinked (pushed to t->killed, a lock-free stack). So its own walks (ct_walk, ct_gc) never
 * meet freed memory. A new flow's entry comes from the worker's cache of free entries,
 * refilled by CT_CACHE / 2 under one lock.
 */

#define CT_LOCKS      1024
#define CT_LIMBO      64 /* batches awaiting their grace period */
#define CT_EVICT_SPAN 8	 /* NF_CT_EVICTION_RANGE: buckets early drop looks at */

struct ct_limbo {
	struct ct_entry *list;
	uint64_t token;
};

struct ct_table {
	struct ct_hnode **buckets;
	uint32_t bucket_mask;
	uint64_t seed;
	struct ct_entry *entries;
	uint32_t n_entries; /* the pool: capacity and room for entries awaiting grace */
	uint32_t capacity;
	uint32_t count; /* live entries (unconfirmed and confirmed), atomic */
	struct rte_rcu_qsbr *rcu;
	struct ct_entry *killed; /* unlinked by workers, for the control thread to free */
	rte_spinlock_t free_lock;
	uint32_t free_n;
	uint32_t *free_idx;
	/* control thread */
	uint64_t gc_now_ms; /* ct_gc's clock, for the destroy events of ct_flush() */
	uint32_t gc_cursor;
	struct ct_entry *gc_pending;
	struct ct_limbo limbo[CT_LIMBO];
	uint32_t limbo_head, limbo_n;
	void *mem;
	size_t mem_size;
	rte_spinlock_t locks[CT_LOCKS] __rte_cache_aligned;
};

static inline uint32_t tuple_hash(const struct ct_table *t, const struct ct_tuple *tu)
{
	const uint64_t *w = (const uint64_t *)tu;
	uint64_t h = t->seed;

	RTE_BUILD_BUG_ON(sizeof(*tu) != 40);
	for (unsigned int i = 0; i < sizeof(*tu) / 8; i++) {
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static inline bool tuple_eq(const struct ct_tuple *a, const struct ct_tuple *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* Entries are 64-aligned with h[0] at offset 0 and h[1] at 48: the node tells its direction. */
_Static_assert(sizeof(struct ct_entry) == 192, "an entry is three cache lines");
_Static_assert(offsetof(struct ct_entry, h[1]) == 48, "node_dir() reads the offset");
static inline enum ct_dir node_dir(const struct ct_hnode *n)
{
	return ((uintptr_t)n & 63) != 0 ? CT_DIR_REPLY : CT_DIR_ORIGINAL;
}

static inline struct ct_entry *node_entry(const struct ct_hnode *n)
{
	return (struct ct_entry *)((uintptr_t)n & ~(uintptr_t)63);
}

static inline bool entry_live(const struct ct_entry *e, uint32_t now_s)
{
	return (ct_status(e) & CT_S_DYING) == 0 &&
	       (int32_t)(__atomic_load_n(&e->expires, __ATOMIC_RELAXED) - now_s) > 0;
}

static struct ct_hnode *chain_find(
	const struct ct_table *t, uint32_t bucket, const struct ct_tuple *tu, uint32_t now_s)
{
	struct ct_hnode *n = __atomic_load_n(&t->buckets[bucket], __ATOMIC_ACQUIRE);

	for (; n != NULL; n = __atomic_load_n(&n->next, __ATOMIC_ACQUIRE))
		if (tuple_eq(&n->t, tu) && entry_live(node_entry(n), now_s))
			return n;
	return NULL;
}

static inline uint32_t stripe(uint32_t bucket)
{
	return bucket & (CT_LOCKS - 1);
}

static void lock2(struct ct_table *t, uint32_t b0, uint32_t b1)
{
	uint32_t s0 = stripe(b0), s1 = stripe(b1);

	if (s0 > s1)
		RTE_SWAP(s0, s1);
	rte_spinlock_lock(&t->locks[s0]);
	if (s1 != s0)
		rte_spinlock_lock(&t->locks[s1]);
}

static void unlock2(struct ct_table *t, uint32_t b0, uint32_t b1)
{
	uint32_t s0 = stripe(b0), s1 = stripe(b1);

	rte_spinlock_unlock(&t->locks[s0]);
	if (s1 != s0)
		rte_spinlock_unlock(&t->locks[s1]);
}

/* Under the bucket's lock. Readers on n keep following n->next: it is left as it was. */
static void chain_unlink(struct ct_table *t, uint32_t bucket, struct ct_hnode *n)
{
	struct ct_hnode **pp = &t->buckets[bucket];

	while (*pp != n)
		pp = &(*pp)->next;
	__atomic_store_n(pp, n->next, __ATOMIC_RELEASE);
}

static void chain_insert(struct ct_table *t, uint32_t bucket, struct ct_hnode *n)
{
	n->next = t->buckets[bucket];
	__atomic_store_n(&t->buckets[bucket], n, __ATOMIC_RELEASE);
}

/* Memory */

static void pool_put(struct ct_table *t, const uint32_t *idx, uint32_t n)
{
	rte_spinlock_lock(&t->free_lock);
	memcpy(&t->free_idx[t->free_n], idx, n * sizeof(*idx));
	t->free_n += n;
	rte_spinlock_unlock(&t->free_lock);
}

static struct ct_entry *entry_get(struct ct_table *t, struct ct_worker *w)
{
	if (w->n_cache == 0) {
		uint32_t n;

		rte_spinlock_lock(&t->free_lock);
		n = RTE_MIN(t->free_n, (uint32_t)CT_CACHE / 2);
		t->free_n -= n;
		memcpy(w->cache, &t->free_idx[t->free_n], n * sizeof(*w->cache));
		rte_spinlock_unlock(&t->free_lock);
		w->n_cache = n;
		if (n == 0)
			return NULL;
	}
	return &t->entries[w->cache[--w->n_cache]];
}

static void entry_put(struct ct_table *t, struct ct_worker *w, struct ct_entry *e)
{
	if (w->n_cache == CT_CACHE) {
		w->n_cache -= CT_CACHE / 2;
		pool_put(t, &w->cache[w->n_cache], CT_CACHE / 2);
	}
	w->cache[w->n_cache++] = (uint32_t)(e - t->entries);
}

int ct_table_create(const struct ct_table_params *p, struct ct_table **out)
{
	uint32_t buckets = 1, slack;
	size_t off_buckets, off_free, size;
	struct ct_table *t;

	if (p->capacity == 0 || p->capacity > (1u << 28) || p->rcu == NULL)
		return fp_error(
			EINVAL, "conntrack: a table of %u entries cannot be made", p->capacity);
	while (buckets < p->capacity)
		buckets <<= 1;
	/* unlinked entries wait a grace period (a few ms) before they are free again */
	slack = p->capacity / 16 + 4096;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return fp_error(ENOMEM, "conntrack: out of memory");
	t->capacity = p->capacity;
	t->n_entries = p->capacity + slack;
	t->bucket_mask = buckets - 1;
	t->rcu = p->rcu;
	off_buckets = (size_t)t->n_entries * sizeof(struct ct_entry);
	off_free = off_buckets + (size_t)buckets * sizeof(struct ct_hnode *);
	size = RTE_ALIGN_CEIL(off_free + (size_t)t->n_entries * sizeof(uint32_t), 2u << 20);
	/*
	 * Normal memory with transparent huge pages rather than a hugepage memzone: a table of
	 * millions of entries would take a large share of the pool the mbufs and FIBs need, and
	 * THP gives the same TLB reach. MAP_POPULATE faults every page in now, on the control
	 * thread: a worker never takes a page fault on a new entry.
	 */
	t->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->mem == MAP_FAILED) {
		free(t);
		return fp_error(ENOMEM, "conntrack: cannot map %zu MB for %u entries", size >> 20,
			p->capacity);
	}
	t->mem_size = size;
	madvise(t->mem, size, MADV_HUGEPAGE);
	if (madvise(t->mem, size, MADV_POPULATE_WRITE) < 0)
		memset(t->mem, 0, size); /* a kernel before 5.14: touched page by page */
	t->entries = t->mem;
	t->buckets = (struct ct_hnode **)((char *)t->mem + off_buckets);
	t->free_idx = (uint32_t *)((char *)t->mem + off_free);
	/* popped from the end: low entries first, the table fills memory from its start */
	for (uint32_t i = 0; i < t->n_entries; i++)
		t->free_idx[i] = t->n_entries - 1 - i;
	t->free_n = t->n_entries;
	rte_spinlock_init(&t->free_lock);
	for (unsigned int i = 0; i < CT_LOCKS; i++)
		rte_spinlock_init(&t->locks[i]);
	if (getrandom(&t->seed, sizeof(t->seed), 0) != sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ 0x5bd1e995u;
	*out = t;
	return 0;
}

void ct_table_destroy(struct ct_table *t)
{
	if (t == NULL)
		return;
	munmap(t->mem, t->mem_size);
	free(t);
}

size_t ct_table_bytes_per_entry(const struct ct_table *t)
{
	return t->mem_size / t->capacity;
}

uint32_t ct_table_count(const struct ct_table *t)
{
	return __atomic_load_n(&t->count, __ATOMIC_RELAXED);
}

uint32_t ct_table_capacity(const struct ct_table *t)
{
	return t->capacity;
}

uint32_t ct_table_buckets(const struct ct_table *t)
{
	return t->bucket_mask + 1;
}

uint32_t ct_entry_timeout(const struct ct_table *t, const struct ct_entry *e, uint64_t now_ms)
{
	uint64_t exp_ms = (uint64_t)__atomic_load_n(&e->expires, __ATOMIC_RELAXED) * 1000;

	(void)t;
	return exp_ms > now_ms ? (uint32_t)((exp_ms - now_ms) / 1000) : 0;
}

/* Killing */

static void killed_push(struct ct_table *t, struct ct_entry *e)
{
	struct ct_entry *head = __atomic_load_n(&t->killed, __ATOMIC_RELAXED);

	do
		e->limbo = head;
	while (!__atomic_compare_exchange_n(
		&t->killed, &head, e, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

/* Both nodes out of their chains, under their locks: false if another got there first. */
static bool unlink_locked(struct ct_table *t, struct ct_entry *e, uint32_t b0, uint32_t b1)
{
	if (ct_status(e) & CT_S_DYING)
		return false;
	chain_unlink(t, b0, &e->h[0]);
	chain_unlink(t, b1, &e->h[1]);
	__atomic_fetch_or(&e->status, CT_S_DYING, __ATOMIC_RELEASE);
	__atomic_fetch_sub(&t->count, 1, __ATOMIC_RELAXED);
	return true;
}

/* nf_ct_kill from a worker: a confirmed entry leaves the table, freed by the control thread. */
static bool ct_kill(struct ct_table *t, struct ct_entry *e)
{
	uint32_t b0, b1;
	bool done;

	if (!(ct_status(e) & CT_S_CONFIRMED)) {
		/* not in the table: ct_confirm() frees it */
		ct_status_set(e, CT_S_DYING);
		return true;
	}
	b0 = tuple_hash(t, &e->h[0].t) & t->bucket_mask;
	b1 = tuple_hash(t, &e->h[1].t) & t->bucket_mask;
	lock2(t, b0, b1);
	done = unlink_locked(t, e, b0, b1);
	unlock2(t, b0, b1);
	if (done)
		killed_push(t, e);
	return done;
}

bool ct_delete(struct ct_table *t, struct ct_entry *e)
{
	return ct_kill(t, e);
}

/*
 * early_drop(): the table is full; the entries not assured in the buckets from the new
 * tuple's on are killed, as Linux does, at most CT_EVICT_SPAN buckets away.
 */
static bool early_drop(struct ct_table *t, struct ct_worker *w, uint32_t hash, uint32_t now_s)
{
	for (uint32_t i = 0; i < CT_EVICT_SPAN; i++) {
		uint32_t b = (hash + i) & t->bucket_mask;
		struct ct_entry *victims[8];
		unsigned int n = 0, drops = 0;
		struct ct_hnode *h;

		/* a lock-free pass picks them; ct_kill() checks again under the locks */
		for (h = __atomic_load_n(&t->buckets[b], __ATOMIC_ACQUIRE); h != NULL && n < 8;
			h = __atomic_load_n(&h->next, __ATOMIC_ACQUIRE)) {
			struct ct_entry *e = node_entry(h);

			if (!(ct_status(e) & CT_S_ASSURED) && entry_live(e, now_s))
				victims[n++] = e;
		}
		for (unsigned int v = 0; v < n; v++)
			drops += ct_kill(t, victims[v]);
		if (drops > 0) {
			w->early_drop += drops;
			return true;
		}
	}
	return false;
}

/* Creation */

static struct ct_entry *entry_new(
	struct ct_table *t, struct ct_worker *w, const struct ct_pkt *p, uint32_t now_s)
{
	uint32_t max = (uint32_t)RTE_MIN((int64_t)sysctl_read(&ct_max), (int64_t)t->capacity);
	struct ct_entry *e;

	if (__atomic_add_fetch(&t->count, 1, __ATOMIC_RELAXED) > max &&
		!early_drop(t, w, p->hash, now_s))
		goto full;
	/* a walk's list full: refused as a full table (a walk takes far fewer packets) */
	e = w->n_walk_new < CT_WALK_NEW ? entry_get(t, w) : NULL;
	if (e == NULL)
		goto full;
	w->walk_new[w->n_walk_new++] = e;
	memset(e, 0, sizeof(*e));
	e->h[0].t = p->t;
	ct_tuple_invert(&e->h[1].t, &p->t);
	rte_spinlock_init(&e->lock);
	ct_proto_init(e, p, now_s);
	w->new_++;
	return e;
full:
	__atomic_fetch_sub(&t->count, 1, __ATOMIC_RELAXED);
	w->table_full++;
	w->drop++;
	return NULL;
}

/* An unconfirmed entry no packet holds: out of the count now, back to the pool at walk end. */
static void entry_discard(struct ct_table *t, struct ct_worker *w, struct ct_entry *e)
{
	(void)w;
	__atomic_fetch_sub(&t->count, 1, __ATOMIC_RELAXED);
	ct_status_set(e, CT_S_DISCARDED);
}

void ct_walk_end(struct ct_table *t, struct ct_worker *w)
{
	for (uint32_t i = 0; i < w->n_walk_new; i++) {
		struct ct_entry *e = w->walk_new[i];
		uint32_t s = ct_status(e);

		/* confirmed: in the table, maybe killed since (then the control thread frees it) */
		if (s & CT_S_CONFIRMED)
			continue;
		/* its packets dropped without ct_abort(), or killed unconfirmed (a TCP reopen) */
		if (!(s & CT_S_DISCARDED))
			__atomic_fetch_sub(&t->count, 1, __ATOMIC_RELAXED);
		entry_put(t, w, e);
	}
	w->n_walk_new = 0;
}

uint32_t ct_entry_id(const struct ct_table *t, const struct ct_entry *e)
{
	return (uint32_t)(e - t->entries) + 1;
}

struct ct_entry *ct_entry_by_id(const struct ct_table *t, uint32_t id)
{
	return &t->entries[id - 1];
}

/* Lookups */

struct ct_entry *ct_lookup(
	struct ct_table *t, const struct ct_tuple *tuple, uint64_t now_ms, enum ct_dir *dir)
{
	struct ct_hnode *n =
		chain_find(t, tuple_hash(t, tuple) & t->bucket_mask, tuple, ct_secs(now_ms));

	if (n == NULL)
		return NULL;
	if (dir != NULL)
		*dir = node_dir(n);
	return node_entry(n);
}

/* An unconfirmed entry this burst made for the same flow. */
static struct ct_entry *burst_find(
	struct ct_entry *const news[], unsigned int n, const struct ct_tuple *tu, enum ct_dir *dir)
{
	for (unsigned int i = 0; i < n; i++)
		for (int d = 0; d < 2; d++)
			if (tuple_eq(&news[i]->h[d].t, tu) && !(ct_status(news[i]) & CT_S_DYING)) {
				*dir = (enum ct_dir)d;
				return news[i];
			}
	return NULL;
}

static void related(struct ct_table *t, struct ct_worker *w, struct ct_pkt *p, uint32_t now_s)
{
	struct ct_hnode *n = chain_find(t, p->hash & t->bucket_mask, &p->t, now_s);
	struct ct_entry *e;
	size_t alen;

	if (n == NULL)
		goto invalid;
	e = node_entry(n);
	/*
	 * nf_conntrack_inet_error(): the error goes to the host that sent the packet it quotes,
	 * the source of the other direction's tuple.
	 */
	alen = p->t.family == AF_INET ? 4 : 16;
	if (memcmp(p->l3 + (p->t.family == AF_INET ? 16 : 24), e->h[!node_dir(n)].t.src, alen) != 0)
		goto invalid;
	p->ct = e;
	p->dir = node_dir(n);
	p->info = p->dir == CT_DIR_REPLY ? CT_RELATED_REPLY : CT_RELATED;
	w->found++;
	return;
invalid:
	p->info = CT_INVALID;
	w->invalid++;
}

void ct_in_bulk(struct ct_table *t, struct ct_worker *w, struct ct_pkt *const pkts[], uint16_t n,
	uint64_t now_ms)
{
	uint32_t now_s = ct_secs(now_ms);
	struct ct_entry *news[RTE_MAX(n, 1)];
	unsigned int n_new = 0;

	ct_events_burst(w);
	for (uint16_t i = 0; i < n; i++) {
		pkts[i]->hash = tuple_hash(t, &pkts[i]->t);
		rte_prefetch0(&t->buckets[pkts[i]->hash & t->bucket_mask]);
	}
	for (uint16_t i = 0; i < n; i++) {
		struct ct_pkt *p = pkts[i];
		struct ct_entry *e = NULL;
		enum ct_dir dir = CT_DIR_ORIGINAL;
		bool created = false, changed = false;
		struct ct_hnode *h;

		p->ct = NULL;
		if (p->info != CT_NEW)
			continue; /* not parsed, or notrack: left as the hook node set it */
		if (p->icmp_error) {
			related(t, w, p, now_s);
			continue;
		}
	again:
		h = chain_find(t, p->hash & t->bucket_mask, &p->t, now_s);
		if (h != NULL) {
			e = node_entry(h);
			dir = node_dir(h);
			w->found++;
		} else if ((e = burst_find(news, n_new, &p->t, &dir)) != NULL) {
			e->pending++;
		} else {
			if (!ct_proto_new_ok(p)) {
				w->invalid++;
				p->info = CT_INVALID;
				continue;
			}
			if ((e = entry_new(t, w, p, now_s)) == NULL) {
				p->info = CT_DROP;
				continue;
			}
			e->pending = 1;
			news[n_new++] = e;
			created = true;
		}
		switch (ct_proto_packet(e, p, dir, now_s, &changed)) {
		case CT_V_INVALID:
			w->invalid++;
			if (created) {
				n_new--;
				entry_discard(t, w, e);
			} else if (!(ct_status(e) & CT_S_CONFIRMED)) {
				e->pending--;
			}
			p->info = CT_INVALID;
			continue;
		case CT_V_REPEAT:
			/* a closed connection reopened: the old entry goes, a new one starts */
			ct_kill(t, e);
			if (!(ct_status(e) & CT_S_CONFIRMED))
				e->pending--;
			goto again;
		case CT_V_KILL:
			ct_kill(t, e);
			break;
		case CT_V_ACCEPT:
			break;
		}
		p->ct = e;
		p->dir = dir;
		if (dir == CT_DIR_REPLY) {
			p->info = CT_ESTABLISHED_REPLY;
			changed |= ct_status_set(e, CT_S_SEEN_REPLY);
		} else {
			p->info = ct_status(e) & CT_S_SEEN_REPLY ? CT_ESTABLISHED : CT_NEW;
		}
		/* an unconfirmed entry's changes show in its [NEW] */
		if (changed && w->ev_on &&
			(ct_status(e) & (CT_S_CONFIRMED | CT_S_DYING)) == CT_S_CONFIRMED)
			ct_event_push(w, e, CT_EV_UPDATE, now_ms);
	}
}

/* Confirmation */

static struct ct_hnode *clash_find(
	struct ct_table *t, uint32_t bucket, const struct ct_tuple *tu, uint32_t now_s)
{
	for (struct ct_hnode *n = t->buckets[bucket]; n != NULL; n = n->next)
		if (tuple_eq(&n->t, tu) && entry_live(node_entry(n), now_s))
			return n;
	return NULL;
}

int ct_confirm(struct ct_table *t, struct ct_worker *w, struct ct_pkt *p, uint64_t now_ms)
{
	struct ct_entry *e = p->ct, *winner;
	uint32_t now_s = ct_secs(now_ms), b0, b1;
	struct ct_hnode *clash;

	if (e == NULL || (ct_status(e) & CT_S_CONFIRMED))
		return 0;
	if (ct_status(e) & CT_S_DYING) {
		/* killed before it was confirmed (RST before any reply): the packet goes on */
		p->ct = NULL;
		if (--e->pending == 0)
			entry_discard(t, w, e);
		return 0;
	}
	b0 = tuple_hash(t, &e->h[0].t) & t->bucket_mask;
	b1 = tuple_hash(t, &e->h[1].t) & t->bucket_mask;
	lock2(t, b0, b1);
	clash = clash_find(t, b0, &e->h[0].t, now_s);
	if (clash == NULL)
		clash = clash_find(t, b1, &e->h[1].t, now_s);
	if (clash == NULL) {
		/* the other packets of the burst holding it find it confirmed */
		__atomic_fetch_or(&e->status, CT_S_CONFIRMED, __ATOMIC_RELEASE);
		/* before the reply direction can be found: its [UPDATE] comes after */
		if (w->ev_on)
			ct_event_push(w, e, CT_EV_NEW, now_ms);
		chain_insert(t, b0, &e->h[0]);
		chain_insert(t, b1, &e->h[1]);
		unlock2(t, b0, b1);
		w->insert++;
		return 0;
	}
	unlock2(t, b0, b1);
	/*
	 * Another worker confirmed the same flow first (nf_ct_resolve_clash): for protocols that
	 * allow it the packet takes that entry, else it is dropped. The other packets of this
	 * burst holding our entry come here too and make the same choice.
	 */
	winner = node_entry(clash);
	if (--e->pending == 0)
		entry_discard(t, w, e);
	if (ct_proto_allow_clash(winner->h[0].t.proto)) {
		p->ct = winner;
		p->dir = tuple_eq(&winner->h[0].t, &p->t) ? CT_DIR_ORIGINAL : CT_DIR_REPLY;
		if (p->dir == CT_DIR_REPLY) {
			/* the two directions of a new flow met on two workers: one connection */
			p->info = CT_ESTABLISHED_REPLY;
			if (ct_status_set(winner, CT_S_SEEN_REPLY) && w->ev_on)
				ct_event_push(w, winner, CT_EV_UPDATE, now_ms);
		}
		w->clash_resolve++;
		return 0;
	}
	p->ct = NULL;
	w->insert_failed++;
	w->drop++;
	return -EEXIST;
}

void ct_abort(struct ct_table *t, struct ct_worker *w, struct ct_pkt *p)
{
	struct ct_entry *e = p->ct;

	p->ct = NULL;
	if (e == NULL || (ct_status(e) & CT_S_CONFIRMED))
		return;
	if (--e->pending == 0)
		entry_discard(t, w, e);
}

/* Expiry */

/* The batches whose grace period ended go back to the pool; a new batch starts its own. */
static void limbo_advance(struct ct_table *t, struct ct_worker *w)
{
	struct ct_entry *batch = __atomic_exchange_n(&t->killed, NULL, __ATOMIC_ACQUIRE);

	/* the workers' victims join the control thread's own */
	while (batch != NULL) {
		struct ct_entry *next = batch->limbo;

		batch->limbo = t->gc_pending;
		t->gc_pending = batch;
		batch = next;
	}
	while (t->limbo_n > 0) {
		struct ct_limbo *l = &t->limbo[t->limbo_head];

		if (rte_rcu_qsbr_check(t->rcu, l->token, false) != 1)
			break;
		for (struct ct_entry *e = l->list, *next; e != NULL; e = next) {
			next = e->limbo;
			entry_put(t, w, e);
		}
		t->limbo_head = (t->limbo_head + 1) % CT_LIMBO;
		t->limbo_n--;
	}
	if (t->gc_pending != NULL && t->limbo_n < CT_LIMBO) {
		struct ct_limbo *l = &t->limbo[(t->limbo_head + t->limbo_n) % CT_LIMBO];

		/* unlinked, intact until the grace period ends: their [DESTROY] */
		if (w->ev_on)
			for (struct ct_entry *e = t->gc_pending; e != NULL; e = e->limbo)
				ct_event_push(w, e, CT_EV_DESTROY, t->gc_now_ms);
		l->list = t->gc_pending;
		l->token = rte_rcu_qsbr_start(t->rcu);
		t->gc_pending = NULL;
		t->limbo_n++;
	}
	/* the control thread's cache goes back so that workers find the entries */
	if (w->n_cache > 0) {
		pool_put(t, w->cache, w->n_cache);
		w->n_cache = 0;
	}
}

/* One bucket's expired entries unlinked, under its lock: the count. */
static uint32_t gc_bucket(struct ct_table *t, uint32_t b, uint32_t now_s, bool all)
{
	uint32_t s = stripe(b), removed = 0;
	struct ct_hnode **pp, *n;

	rte_spinlock_lock(&t->locks[s]);
	for (pp = &t->buckets[b]; (n = *pp) != NULL;) {
		struct ct_entry *e = node_entry(n);
		enum ct_dir d = node_dir(n);
		uint32_t ob, os;

		if (!all && entry_live(e, now_s)) {
			pp = &n->next;
			continue;
		}
		ob = tuple_hash(t, &e->h[!d].t) & t->bucket_mask;
		os = stripe(ob);
		/* the lower stripe first: a higher one may be waited for, a lower one only tried */
		if (os != s && !(os > s ? (rte_spinlock_lock(&t->locks[os]), true)
					: rte_spinlock_trylock(&t->locks[os]))) {
			pp = &n->next;
			continue;
		}
		if (unlink_locked(
			    t, e, d == CT_DIR_ORIGINAL ? b : ob, d == CT_DIR_ORIGINAL ? ob : b)) {
			e->limbo = t->gc_pending;
			t->gc_pending = e;
			removed++;
		}
		if (os != s)
			rte_spinlock_unlock(&t->locks[os]);
		/* the other node may have been before pp in this chain: start again */
		pp = &t->buckets[b];
	}
	rte_spinlock_unlock(&t->locks[s]);
	return removed;
}

uint32_t ct_gc(struct ct_table *t, struct ct_worker *w, uint64_t now_ms, uint32_t budget)
{
	uint32_t now_s = ct_secs(now_ms), removed = 0;

	t->gc_now_ms = now_ms;
	ct_events_burst(w);
	budget = RTE_MIN(budget, t->bucket_mask + 1);
	for (uint32_t i = 0; i < budget; i++) {
		removed += gc_bucket(t, t->gc_cursor, now_s, false);
		t->gc_cursor = (t->gc_cursor + 1) & t->bucket_mask;
	}
	limbo_advance(t, w);
	return removed;
}

void ct_flush(struct ct_table *t, struct ct_worker *w)
{
	ct_events_burst(w);
	for (uint32_t b = 0; b <= t->bucket_mask; b++)
		while (t->buckets[b] != NULL)
			gc_bucket(t, b, 0, true);
	limbo_advance(t, w);
}

int ct_walk(struct ct_table *t, uint64_t now_ms, int (*fn)(const struct ct_entry *e, void *arg),
	void *arg)
{
	return ct_walk_buckets(t, now_ms, 0, t->bucket_mask + 1, fn, arg);
}

int ct_walk_buckets(struct ct_table *t, uint64_t now_ms, uint32_t first, uint32_t n,
	int (*fn)(const struct ct_entry *e, void *arg), void *arg)
{
	uint32_t now_s = ct_secs(now_ms), end = RTE_MIN((uint64_t)first + n, t->bucket_mask + 1ull);
	int ret;

	for (uint32_t b = first; b < end; b++)
		for (struct ct_hnode *n = __atomic_load_n(&t->buckets[b], __ATOMIC_ACQUIRE);
			n != NULL; n = __atomic_load_n(&n->next, __ATOMIC_ACQUIRE))
			if (node_dir(n) == CT_DIR_ORIGINAL && entry_live(node_entry(n), now_s) &&
				(ret = fn(node_entry(n), arg)) != 0)
				return ret;
	return 0;
}
