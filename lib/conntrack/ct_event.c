/* SPDX-License-Identifier: BSD-3-Clause */
#include "ct_priv.h"

#include <netinet/in.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

/*
 * The events' rings: one per worker and one for the control thread (its destroy events),
 * rte_rings of fixed-size records, single producer and single consumer. A worker copies the
 * entry (its tuples, status, TCP state and time left, 96 bytes) rather than pass a pointer:
 * the entry may be freed and reused before the control thread reads the ring.
 */

bool ct_events_on;

_Static_assert(sizeof(struct ct_event) % 4 == 0, "rte_ring elements are multiples of 4 bytes");

size_t ct_event_ring_size(unsigned int n)
{
	ssize_t sz = rte_ring_get_memsize_elem(sizeof(struct ct_event), n);

	return sz < 0 ? 0 : (size_t)sz;
}

struct rte_ring *ct_event_ring_init(void *mem, unsigned int n)
{
	struct rte_ring *r = mem;

	if (rte_ring_init(r, "ct_events", n, RING_F_SP_ENQ | RING_F_SC_DEQ) < 0)
		return NULL;
	return r;
}

void ct_event_push(
	struct ct_worker *w, const struct ct_entry *e, enum ct_event_type type, uint64_t now_ms)
{
	uint32_t exp = __atomic_load_n(&e->expires, __ATOMIC_RELAXED), now_s = ct_secs(now_ms);
	struct ct_event ev = {
		.orig = e->h[0].t,
		.reply = e->h[1].t,
		.status = ct_status(e),
		.mark = e->mark,
		.type = (uint8_t)type,
		.tcp_state = e->h[0].t.proto == IPPROTO_TCP ? e->tcp.state : 0,
	};

	/*
	 * Linux's events show the timeout just set (120 for a SYN, not 119): whole seconds from
	 * this one. A destroy shows what was left (a delete), none once expired.
	 */
	if (type == CT_EV_DESTROY)
		ev.timeout = ct_entry_timeout(NULL, e, now_ms);
	else
		ev.timeout = (int32_t)(exp - now_s) > 0 ? exp - now_s : 0;
	if (rte_ring_sp_enqueue_elem(w->ev, &ev, sizeof(ev)) != 0)
		w->ev_lost++;
}

unsigned int ct_event_pull(struct ct_worker *w, struct ct_event *evs, unsigned int n)
{
	if (w->ev == NULL)
		return 0;
	return rte_ring_sc_dequeue_burst_elem(w->ev, evs, sizeof(*evs), n, NULL);
}
