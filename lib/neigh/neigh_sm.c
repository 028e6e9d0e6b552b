/* SPDX-License-Identifier: BSD-3-Clause */
#include "neigh_sm.h"

#include "base/fp_error.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

/* Linux never arms a neighbour timer closer than HZ/100 (neigh_timer_handler). */
#define MIN_TIMER_MS 10

static const enum neigh_state all_states[] = {
	NEIGH_NONE,
	NEIGH_INCOMPLETE,
	NEIGH_REACHABLE,
	NEIGH_STALE,
	NEIGH_DELAY,
	NEIGH_PROBE,
	NEIGH_FAILED,
	NEIGH_PERMANENT,
};

uint32_t neigh_rand_reach_time(uint32_t base, uint32_t rnd)
{
	/* Multiply-shift maps rnd onto [0, base) as get_random_u32_below() does. */
	return (uint32_t)(((uint64_t)rnd * base) >> 32) + base / 2;
}

void neigh_params_init(struct neigh_params *p, uint32_t rnd)
{
	/* arp_tbl.parms */
	*p = (struct neigh_params){
		.base_reachable_time = 30000,
		.retrans_time = 1000,
		.delay_first_probe_time = 5000,
		.gc_stale_time = 60000,
		.locktime = 1000,
		.unres_qlen_bytes = NEIGH_UNRES_QLEN_BYTES,
		.ucast_probes = 3,
		.mcast_probes = 3,
		.app_probes = 0,
		.mcast_reprobes = 0,
	};
	p->reachable_time = neigh_rand_reach_time(p->base_reachable_time, rnd);
}

/*
 * Make the entry look not recently confirmed, as neigh_update does when the
 * lladdr changes: a confirmation of the old address proves nothing.
 */
static void unconfirm(struct neigh_sm *sm, int64_t now)
{
	sm->confirmed = now - 2 * (int64_t)sm->params->base_reachable_time;
}

void neigh_sm_init(struct neigh_sm *sm, const struct neigh_params *params, int64_t now)
{
	*sm = (struct neigh_sm){
		.params = params,
		.state = NEIGH_NONE,
		.used = now,
		.updated = now,
	};
	unconfirm(sm, now);
}

static void set_state(struct neigh_sm *sm, enum neigh_state state, int64_t now)
{
	sm->state = state;
	sm->updated = now;
}

static int64_t retrans_time(const struct neigh_sm *sm)
{
	return sm->params->retrans_time > MIN_TIMER_MS ? sm->params->retrans_time : MIN_TIMER_MS;
}

/* neigh_max_probes: PROBE, which starts at 0, ends with mcast_reprobes broadcasts. */
static uint32_t max_probes(const struct neigh_sm *sm)
{
	const struct neigh_params *p = sm->params;

	return p->ucast_probes + p->app_probes +
	       (sm->state == NEIGH_PROBE ? p->mcast_reprobes : p->mcast_probes);
}

/*
 * neigh_probe + arp_solicit: the first ucast_probes go to the known lladdr,
 * the next app_probes to user space, the rest are broadcast. INCOMPLETE starts
 * counting at ucast_probes since it has no lladdr to unicast to.
 */
static unsigned int probe(struct neigh_sm *sm)
{
	const struct neigh_params *p = sm->params;
	uint32_t n = sm->probes++;

	if (n < p->ucast_probes)
		return NEIGH_ACT_SEND_UCAST_PROBE;
	if (n < p->ucast_probes + p->app_probes)
		return NEIGH_ACT_SEND_APP_PROBE;
	return NEIGH_ACT_SEND_MCAST_PROBE;
}

/* neigh_invalidate: the packets held for the failed resolution get an error report. */
static unsigned int invalidate(struct neigh_sm *sm, int64_t now)
{
	sm->updated = now;
	return NEIGH_ACT_FLUSH_QUEUE_UNREACHABLE;
}

unsigned int neigh_sm_output(struct neigh_sm *sm, int64_t now)
{
	const struct neigh_params *p = sm->params;

	/* neigh_event_send */
	sm->used = now;
	switch (sm->state) {
	case NEIGH_NONE:
	case NEIGH_FAILED:
		if (p->mcast_probes + p->app_probes == 0) {
			set_state(sm, NEIGH_FAILED, now);
			return NEIGH_ACT_DROP;
		}
		set_state(sm, NEIGH_INCOMPLETE, now);
		sm->probes = p->ucast_probes;
		sm->timer_deadline = now + retrans_time(sm);
		return NEIGH_ACT_QUEUE | probe(sm);
	case NEIGH_INCOMPLETE:
		return NEIGH_ACT_QUEUE;
	case NEIGH_STALE:
		/* Give upper layers delay_first_probe_time to confirm before probing. */
		set_state(sm, NEIGH_DELAY, now);
		sm->timer_deadline = now + p->delay_first_probe_time;
		return NEIGH_ACT_TX;
	default:
		return NEIGH_ACT_TX;
	}
}

unsigned int neigh_sm_timer(struct neigh_sm *sm, int64_t now)
{
	const struct neigh_params *p = sm->params;
	int64_t next;

	/* neigh_timer_handler */
	if (sm->timer_deadline == 0 || now < sm->timer_deadline)
		return 0;
	switch (sm->state) {
	case NEIGH_REACHABLE:
		if (now <= sm->confirmed + p->reachable_time) {
			next = sm->confirmed + p->reachable_time;
		} else if (now <= sm->used + p->delay_first_probe_time) {
			/* In use: let upper layers confirm before probing. */
			set_state(sm, NEIGH_DELAY, now);
			next = now + p->delay_first_probe_time;
		} else {
			set_state(sm, NEIGH_STALE, now);
			sm->timer_deadline = 0;
			return 0;
		}
		break;
	case NEIGH_DELAY:
		if (now <= sm->confirmed + p->delay_first_probe_time) {
			set_state(sm, NEIGH_REACHABLE, now);
			next = sm->confirmed + p->reachable_time;
		} else {
			set_state(sm, NEIGH_PROBE, now);
			sm->probes = 0;
			next = now + retrans_time(sm);
		}
		break;
	case NEIGH_INCOMPLETE:
	case NEIGH_PROBE:
		next = now + retrans_time(sm);
		break;
	default:
		sm->timer_deadline = 0;
		return 0;
	}

	if ((sm->state & (NEIGH_INCOMPLETE | NEIGH_PROBE)) && sm->probes >= max_probes(sm)) {
		sm->state = NEIGH_FAILED;
		sm->timer_deadline = 0;
		return invalidate(sm, now);
	}
	sm->timer_deadline = next > now + MIN_TIMER_MS ? next : now + MIN_TIMER_MS;
	return sm->state & (NEIGH_INCOMPLETE | NEIGH_PROBE) ? probe(sm) : 0;
}

static bool state_known(enum neigh_state state)
{
	for (size_t i = 0; i < sizeof(all_states) / sizeof(all_states[0]); i++)
		if (all_states[i] == state)
			return true;
	return false;
}

int neigh_sm_update(struct neigh_sm *sm, int64_t now, const struct fp_mac *lladdr,
	enum neigh_state new_state, uint32_t flags)
{
	enum neigh_state old = sm->state;
	unsigned int actions = 0;
	bool changed;

	/* neigh_update */
	if (!state_known(new_state))
		return fp_error(EINVAL, "invalid neighbour state 0x%x", new_state);
	/* INCOMPLETE needs the probe timer that only neigh_sm_output() arms. */
	if (new_state == NEIGH_INCOMPLETE)
		return fp_error(EINVAL, "state INCOMPLETE is entered by resolution only");
	if (old == NEIGH_PERMANENT && !(flags & NEIGH_UPDATE_F_ADMIN))
		return fp_error(EPERM, "neighbour entry is permanent");

	if (!(new_state & NEIGH_VALID)) {
		sm->state = new_state;
		sm->timer_deadline = 0;
		if ((old & (NEIGH_INCOMPLETE | NEIGH_PROBE)) && new_state == NEIGH_FAILED)
			return invalidate(sm, now);
		return 0;
	}

	if (lladdr == NULL) {
		if (!(old & NEIGH_VALID))
			return fp_error(EINVAL, "no link-layer address for the neighbour");
		changed = false;
	} else {
		changed = !(old & NEIGH_VALID) || memcmp(lladdr, &sm->lladdr, sizeof(*lladdr)) != 0;
	}

	/* Even an answer that does not change the binding proves reachability. */
	if (new_state & NEIGH_CONNECTED)
		sm->confirmed = now;

	if (old & NEIGH_VALID) {
		if (changed && !(flags & NEIGH_UPDATE_F_OVERRIDE)) {
			if (!(flags & NEIGH_UPDATE_F_WEAK_OVERRIDE) || !(old & NEIGH_CONNECTED))
				return 0;
			/* Keep the address but stop trusting it. */
			changed = false;
			new_state = NEIGH_STALE;
		} else if (!changed && new_state == NEIGH_STALE &&
			   !(flags & NEIGH_UPDATE_F_ADMIN)) {
			/* A packet from a known address proves nothing: keep the state. */
			new_state = old;
		}
	}

	/* Only real changes move the locktime window (neigh_sm_arp_flags). */
	if (new_state != old || changed)
		sm->updated = now;
	if (new_state != old) {
		sm->state = new_state;
		sm->timer_deadline = 0;
		if (new_state == NEIGH_PROBE)
			sm->probes = 0;
		if (new_state == NEIGH_REACHABLE)
			sm->timer_deadline = now + sm->params->reachable_time;
		else if (new_state & NEIGH_IN_TIMER)
			/* DELAY, PROBE: Linux arms jiffies + 0, run at the next tick. */
			sm->timer_deadline = now;
		if (!(old & NEIGH_VALID))
			actions |= NEIGH_ACT_FLUSH_QUEUE_SEND;
	}
	if (changed) {
		sm->lladdr = *lladdr;
		if (!(new_state & NEIGH_CONNECTED))
			unconfirm(sm, now);
		actions |= NEIGH_ACT_LLADDR_CHANGED;
	}
	return actions;
}

uint32_t neigh_sm_arp_flags(const struct neigh_sm *sm, int64_t now, bool garp)
{
	return garp || now > sm->updated + sm->params->locktime ? NEIGH_UPDATE_F_OVERRIDE : 0;
}

unsigned int neigh_sm_set_permanent(struct neigh_sm *sm, int64_t now, const struct fp_mac *lladdr)
{
	/* Cannot fail: a lladdr is given and ADMIN may change anything. */
	return neigh_sm_update(
		sm, now, lladdr, NEIGH_PERMANENT, NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN);
}

unsigned int neigh_sm_delete(struct neigh_sm *sm, int64_t now)
{
	return neigh_sm_update(
		sm, now, NULL, NEIGH_FAILED, NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN);
}

bool neigh_sm_gc_expired(const struct neigh_sm *sm, int64_t now, bool referenced)
{
	int64_t used = sm->used;

	if (referenced || (sm->state & (NEIGH_PERMANENT | NEIGH_IN_TIMER)))
		return false;
	if (sm->state == NEIGH_FAILED)
		return true;
	/* A confirmation counts as a use. */
	if (used < sm->confirmed && sm->confirmed <= now)
		used = sm->confirmed;
	return now - used >= sm->params->gc_stale_time;
}

const char *neigh_state_name(enum neigh_state state)
{
	switch (state) {
	case NEIGH_NONE:
		return "NONE";
	case NEIGH_INCOMPLETE:
		return "INCOMPLETE";
	case NEIGH_REACHABLE:
		return "REACHABLE";
	case NEIGH_STALE:
		return "STALE";
	case NEIGH_DELAY:
		return "DELAY";
	case NEIGH_PROBE:
		return "PROBE";
	case NEIGH_FAILED:
		return "FAILED";
	case NEIGH_PERMANENT:
		return "PERMANENT";
	}
	return "UNKNOWN";
}

int neigh_state_parse(const char *name, enum neigh_state *state)
{
	for (size_t i = 0; i < sizeof(all_states) / sizeof(all_states[0]); i++) {
		if (strcasecmp(name, neigh_state_name(all_states[i])) == 0) {
			*state = all_states[i];
			return 0;
		}
	}
	return fp_error(EINVAL, "'%s' is not a neighbour state", name);
}
