/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include "ct.h"
#include "infra/sysctl.h"

#include <sys/socket.h>

/* Between the table and the protocol trackers. */

/* Not Linux's: an unconfirmed entry dropped (ct_abort, a lost clash), awaiting ct_walk_end(). */
#define CT_S_DISCARDED (1u << 31)

enum ct_verdict {
	CT_V_ACCEPT,
	CT_V_INVALID, /* the packet is invalid; the entry is unchanged */
	CT_V_KILL,    /* accepted, and the entry dies (RST before any reply) */
	CT_V_REPEAT,  /* the entry dies and the packet starts a new one (TCP reopen) */
};

/* Whether p may create an entry (tcp_new(), ICMP's valid_new): false is invalid. */
bool ct_proto_new_ok(const struct ct_pkt *p);
/* The protocol state of a new entry created by p (original direction). */
void ct_proto_init(struct ct_entry *e, const struct ct_pkt *p, uint32_t now_s);
/*
 * The tracker: the packet in direction dir, the entry's state and timeout updated; *changed
 * set when the packet changed what an [UPDATE] event shows (status bits, the TCP state).
 */
enum ct_verdict ct_proto_packet(
	struct ct_entry *e, const struct ct_pkt *p, enum ct_dir dir, uint32_t now_s, bool *changed);
enum ct_verdict ct_tcp_packet(
	struct ct_entry *e, const struct ct_pkt *p, enum ct_dir dir, uint32_t now_s, bool *changed);
bool ct_tcp_new_ok(const struct ct_pkt *p);
void ct_tcp_init(struct ct_entry *e, const struct ct_pkt *p);
/* Clash resolution allowed (l4proto->allow_clash): UDP, ICMP. */
bool ct_proto_allow_clash(uint8_t proto);

static inline uint32_t ct_status(const struct ct_entry *e)
{
	return __atomic_load_n(&e->status, __ATOMIC_ACQUIRE);
}

/*
 * Sets bits once: no write (no cache line taken exclusive) when they are already set. True
 * when this call set one (an event's change: of two workers setting it, one sees true).
 */
static inline bool ct_status_set(struct ct_entry *e, uint32_t bits)
{
	if ((ct_status(e) & bits) == bits)
		return false;
	return (__atomic_fetch_or(&e->status, bits, __ATOMIC_ACQ_REL) & bits) != bits;
}

/*
 * nf_ct_refresh: the entry expires timeout seconds from now. Written only when the second
 * changes, so that a busy flow seen by two workers does not bounce the line on every packet.
 */
static inline void ct_refresh(struct ct_entry *e, uint32_t now_s, int32_t timeout)
{
	uint32_t exp = now_s + (uint32_t)(timeout < 0 ? 0 : timeout);

	if (__atomic_load_n(&e->expires, __ATOMIC_RELAXED) != exp)
		__atomic_store_n(&e->expires, exp, __ATOMIC_RELAXED);
}

static inline uint32_t ct_secs(uint64_t now_ms)
{
	return (uint32_t)(now_ms / 1000);
}
