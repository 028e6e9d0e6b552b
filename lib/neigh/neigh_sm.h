/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include "base/fp_net.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * Neighbour (ARP and NDP) reachability state machine, modelled on Linux
 * net/core/neighbour.c. Pure logic: no I/O, no allocation, no clock reads.
 *
 * The control thread owns one struct neigh_sm per neighbour entry and calls
 * the functions below on events. They change the state and return a mask of
 * enum neigh_action that the caller carries out in ascending bit order. The
 * caller also owns the queue of packets held during resolution.
 *
 * Times are milliseconds of a monotonic clock and must be positive (0 means
 * "no timer" in timer_deadline).
 *
 * Datapath contract (Linux neigh_event_send): in REACHABLE, DELAY, PROBE and
 * PERMANENT packets go out with lladdr; in STALE they go out too but through
 * neigh_sm_output() (which starts DELAY); in NONE, INCOMPLETE and FAILED they
 * go through neigh_sm_output(), which queues them or starts resolution.
 */

/* Linux's NUD_* values, so that kernel (netlink) states need no translation. */
enum neigh_state {
	NEIGH_NONE = 0x00,
	NEIGH_INCOMPLETE = 0x01, /* resolving; packets are queued */
	NEIGH_REACHABLE = 0x02,	 /* confirmed within reachable_time */
	NEIGH_STALE = 0x04,	 /* lladdr known but unconfirmed; no timer */
	NEIGH_DELAY = 0x08,	 /* used while STALE; waiting for a confirmation */
	NEIGH_PROBE = 0x10,	 /* unicast probing the known lladdr */
	NEIGH_FAILED = 0x20,	 /* resolution failed */
	NEIGH_PERMANENT = 0x80,	 /* static; changes only by admin update or delete */
};

/* States with a lladdr the datapath may use (NUD_VALID). */
#define NEIGH_VALID (NEIGH_PERMANENT | NEIGH_REACHABLE | NEIGH_PROBE | NEIGH_STALE | NEIGH_DELAY)
/* States known to be reachable (NUD_CONNECTED). */
#define NEIGH_CONNECTED (NEIGH_PERMANENT | NEIGH_REACHABLE)
/* States that always have a timer armed (NUD_IN_TIMER). */
#define NEIGH_IN_TIMER (NEIGH_INCOMPLETE | NEIGH_REACHABLE | NEIGH_DELAY | NEIGH_PROBE)

enum neigh_action {
	NEIGH_ACT_LLADDR_CHANGED = 1 << 0, /* lladdr changed: republish it to the datapath */
	NEIGH_ACT_TX = 1 << 1,		   /* send the packet now with lladdr */
	NEIGH_ACT_QUEUE = 1 << 2,	   /* hold the packet (caller bounds unres_qlen_bytes) */
	NEIGH_ACT_DROP = 1 << 3,	   /* drop the packet: no probe can resolve the entry */
	/*
	 * Resolution succeeded: pass each held packet to neigh_sm_output() again
	 * and send it (Linux re-runs neigh->output, so a STALE entry goes DELAY).
	 */
	NEIGH_ACT_FLUSH_QUEUE_SEND = 1 << 4,
	/*
	 * Resolution failed: send ICMP host unreachable for each held packet and
	 * drop it (arp_error_report). The queue may be empty.
	 */
	NEIGH_ACT_FLUSH_QUEUE_UNREACHABLE = 1 << 5,
	NEIGH_ACT_SEND_UCAST_PROBE = 1 << 6, /* ARP request to lladdr */
	NEIGH_ACT_SEND_MCAST_PROBE = 1 << 7, /* broadcast ARP request (NDP: multicast NS) */
	NEIGH_ACT_SEND_APP_PROBE = 1 << 8,   /* ask user space (Linux: RTM_GETNEIGH to arpd) */
};

/* neigh_sm_update() flags, as Linux NEIGH_UPDATE_F_*. */
enum {
	/* A different lladdr may replace the known one. */
	NEIGH_UPDATE_F_OVERRIDE = 1 << 0,
	/*
	 * Without OVERRIDE, a different lladdr makes a REACHABLE or PERMANENT
	 * entry STALE (keeping its lladdr) instead of being ignored (NDP NA
	 * without the override flag).
	 */
	NEIGH_UPDATE_F_WEAK_OVERRIDE = 1 << 1,
	/* Administrative change: may modify PERMANENT entries, may set STALE. */
	NEIGH_UPDATE_F_ADMIN = 1 << 2,
};

/* Linux's unres_qlen_bytes (SK_WMEM_MAX) */
#define NEIGH_UNRES_QLEN_BYTES 212992

/* Linux re-draws reachable_time from base_reachable_time this often (neigh_periodic_work). */
#define NEIGH_RAND_INTERVAL_MS 300000

/*
 * Per-interface parameters (Linux struct neigh_parms, net.ipv4.neigh.<if>.*).
 * All times in milliseconds. Entries point to them, so changes apply to all.
 */
struct neigh_params {
	uint32_t base_reachable_time; /* 30000 */
	/*
	 * neigh_rand_reach_time(base_reachable_time, random), shared by all entries
	 * of the interface: draw it again every NEIGH_RAND_INTERVAL_MS and whenever
	 * base_reachable_time changes, as Linux does.
	 */
	uint32_t reachable_time;
	uint32_t retrans_time;		 /* 1000: interval between probes */
	uint32_t delay_first_probe_time; /* 5000: DELAY before PROBE */
	uint32_t gc_stale_time;		 /* 60000: unused entries older than this are removed */
	uint32_t locktime;		 /* 1000: see neigh_sm_arp_flags() */
	/*
	 * 212992 (SK_WMEM_MAX): bound of the held queue, enforced by the caller
	 * by dropping the oldest packets (Linux counts skb truesize).
	 */
	uint32_t unres_qlen_bytes;
	uint32_t ucast_probes;	 /* 3: unicast probes in PROBE */
	uint32_t mcast_probes;	 /* 3: broadcast probes in INCOMPLETE */
	uint32_t app_probes;	 /* 0: user space probes */
	uint32_t mcast_reprobes; /* 0: broadcast probes in PROBE after the unicast ones */
};

struct neigh_sm {
	const struct neigh_params *params;
	enum neigh_state state;
	struct fp_mac lladdr;	/* meaningful in NEIGH_VALID states */
	uint32_t probes;	/* solicitations sent in this resolution */
	int64_t timer_deadline; /* call neigh_sm_timer() once now >= this; 0: none */
	int64_t confirmed;	/* last proof of reachability */
	int64_t used;		/* last packet sent through the entry */
	int64_t updated;	/* last change of state or lladdr */
};

/* Uniform in [base/2, 3*base/2) from a uniform random 32-bit value. */
uint32_t neigh_rand_reach_time(uint32_t base, uint32_t rnd);

/* Linux ARP defaults; rnd draws reachable_time. */
void neigh_params_init(struct neigh_params *p, uint32_t rnd);

/* A new entry in NONE; params must outlive it. */
void neigh_sm_init(struct neigh_sm *sm, const struct neigh_params *params, int64_t now);

/*
 * Record that a packet went out through the entry. Linux does it for each
 * packet sent while not REACHABLE/PERMANENT (neigh_event_send); marking every
 * packet also works: an entry in use then goes DELAY instead of STALE when
 * reachable_time runs out, and gets probed.
 */
static inline void neigh_sm_mark_used(struct neigh_sm *sm, int64_t now)
{
	sm->used = now;
}

/*
 * Upper-layer proof that the neighbour is reachable (neigh_confirm): a DELAY
 * entry goes REACHABLE at its timer instead of PROBE, a REACHABLE one stays.
 */
static inline void neigh_sm_confirm(struct neigh_sm *sm, int64_t now)
{
	sm->confirmed = now;
}

/*
 * A packet must go out through the entry and the datapath cannot send it on
 * its own (see the datapath contract). Returns TX, QUEUE or DROP, plus a
 * probe when resolution starts. Marks the entry used.
 */
unsigned int neigh_sm_output(struct neigh_sm *sm, int64_t now);

/* Timer expiry (neigh_timer_handler); does nothing before timer_deadline. */
unsigned int neigh_sm_timer(struct neigh_sm *sm, int64_t now);

/*
 * Information about the neighbour (neigh_update): lladdr (NULL: keep the
 * known one) and the state it proves. Returns actions, or -EPERM if the
 * entry is PERMANENT and the update not ADMIN (the packet is to be ignored),
 * -EINVAL if new_state is INCOMPLETE (only resolution enters it) or unknown,
 * or if no lladdr is given nor known for a NEIGH_VALID new_state.
 *
 * ARP input (arp_process), sha being the sender's hardware address:
 * - request for one of our addresses (neigh_event_ns), creating the entry:
 *   neigh_sm_update(sm, now, sha, NEIGH_STALE, NEIGH_UPDATE_F_OVERRIDE);
 * - reply unicast to us, entry existing:
 *   neigh_sm_update(sm, now, sha, NEIGH_REACHABLE, neigh_sm_arp_flags(sm, now, false));
 * - any other request or reply (broadcast reply, gratuitous ARP), entry existing:
 *   neigh_sm_update(sm, now, sha, NEIGH_STALE, neigh_sm_arp_flags(sm, now, garp)).
 * A known lladdr confirmed by a STALE update keeps the current state.
 */
int neigh_sm_update(struct neigh_sm *sm, int64_t now, const struct fp_mac *lladdr,
	enum neigh_state new_state, uint32_t flags);

/*
 * Flags for an ARP packet other than a request for our address: a different
 * lladdr may override only if the entry did not change within locktime, so
 * that of several replies in a row (proxy ARP agents) the first one wins;
 * a gratuitous ARP always may (arp_process).
 */
uint32_t neigh_sm_arp_flags(const struct neigh_sm *sm, int64_t now, bool garp);

/* Static entry, or replacement of its lladdr (ip neigh replace ... nud permanent). */
unsigned int neigh_sm_set_permanent(struct neigh_sm *sm, int64_t now, const struct fp_mac *lladdr);

/*
 * Administrative delete (neigh_delete): the entry goes FAILED; free it once
 * neigh_sm_gc_expired() says so, which for an unreferenced entry is at once.
 */
unsigned int neigh_sm_delete(struct neigh_sm *sm, int64_t now);

/*
 * Whether the table may free the entry (neigh_periodic_work): it is not
 * referenced (by a route or next hop), has no timer, is not PERMANENT, and is
 * FAILED or unused for gc_stale_time. Call it every base_reachable_time/2.
 */
bool neigh_sm_gc_expired(const struct neigh_sm *sm, int64_t now, bool referenced);

/* "REACHABLE" etc. ("UNKNOWN" for other values). */
const char *neigh_state_name(enum neigh_state state);

/* Case-insensitive name ("permanent") to state; -EINVAL with a message if unknown. */
int neigh_state_parse(const char *name, enum neigh_state *state);
