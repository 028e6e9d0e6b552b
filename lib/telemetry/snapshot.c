/* SPDX-License-Identifier: BSD-3-Clause */
#include "infra/control.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "infra/stats.h"
#include "telemetry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Written over the values of a freed snapshot, so that a reader that kept it shows. */
#define TEL_POISON 0x5a5a5a5a5a5a5a5aULL

struct tel_snapshot *tel_snapshot_new(void)
{
	return calloc(1, sizeof(struct tel_snapshot));
}

void tel_snapshot_free(struct tel_snapshot *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		s->rows[i].value = TEL_POISON;
	free(s->rows);
	free(s);
}

int tel_snapshot_add(struct tel_snapshot *s, const char *kind, const char *name, const char *field,
	uint64_t value)
{
	struct tel_row *r;
	enum tel_kind k;

	if (strcmp(kind, "ports") == 0)
		k = TEL_PORTS;
	else if (strcmp(kind, "nodes") == 0)
		k = TEL_NODES;
	else if (strcmp(kind, "drops") == 0)
		k = TEL_DROPS;
	else if (strcmp(kind, "mempools") == 0)
		k = TEL_MEMPOOLS;
	else
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct tel_row *rows = realloc(s->rows, cap * sizeof(*rows));

		if (rows == NULL)
			return -ENOMEM;
		s->rows = rows;
		s->cap = cap;
	}
	r = &s->rows[s->n++];
	r->kind = k;
	snprintf(r->field, sizeof(r->field), "%s", field);
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->value = value;
	return 0;
}

bool tel_snapshot_first_name(const struct tel_snapshot *s, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (s->rows[j].kind == s->rows[i].kind &&
			strcmp(s->rows[j].name, s->rows[i].name) == 0)
			return false;
	return true;
}

/* counters_walk() passes a json_t: the snapshot being built is here instead (control thread). */
static struct tel_snapshot *building;
static int building_err;

static void collect(
	json_t *out, const char *kind, const char *name, const char *field, uint64_t value)
{
	(void)out;
	if (building_err == 0)
		building_err = tel_snapshot_add(building, kind, name, field, value);
}

struct tel_snapshot *tel_snapshot_take(void)
{
	struct tel_snapshot *s = tel_snapshot_new();

	if (s == NULL) {
		fp_error(ENOMEM, "telemetry snapshot: out of memory");
		return NULL;
	}
	s->taken_ms = control_now_ms();
	building = s;
	building_err = 0;
	counters_walk(collect, NULL);
	building = NULL;
	if (building_err < 0) {
		tel_snapshot_free(s);
		fp_error(ENOMEM, "telemetry snapshot: out of memory");
		return NULL;
	}
	return s;
}

/*
 * The hand-off to DPDK's telemetry threads (they may be several: one per
 * client connection). Two slots; `published` names the one readers take.
 *
 * A reader pins a slot: it increments that slot's reader count, then checks
 * that the slot is still the published one (else it unpins and retries), and
 * only then reads the slot's pointer; it unpins when its reply is built.
 *
 * The control thread alone writes: it frees and refills the other slot only
 * when no reader is pinned on it, then publishes it. A reader that read the
 * old `published` and pins the slot being refilled sees, on its check, that it
 * is not published, and never dereferences it; if the check comes after the
 * switch, the slot was complete before it was published. All accesses are
 * sequentially consistent, so the control thread's "no reader" test and a
 * reader's "still published" check cannot both miss each other (Dekker).
 *
 * So at most two snapshots exist, the control thread never waits (if an old
 * reader is still pinned on the other slot, it skips that refresh and tries
 * at the next one), and a reader never waits beyond a retry when it races a
 * switch. Readers hold a slot for the few microseconds of building a reply.
 */
static struct tel_snapshot *slots[2];
static unsigned int slot_readers[2];
static unsigned int published;
static bool closed;

const struct tel_snapshot *tel_snapshot_acquire(unsigned int *slot)
{
	const struct tel_snapshot *s;
	unsigned int i;

	for (;;) {
		i = __atomic_load_n(&published, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&slot_readers[i], 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&published, __ATOMIC_SEQ_CST) == i)
			break;
		/* switched meanwhile: slot i may be being refilled */
		__atomic_sub_fetch(&slot_readers[i], 1, __ATOMIC_SEQ_CST);
	}
	s = __atomic_load_n(&slots[i], __ATOMIC_SEQ_CST);
	if (s == NULL || __atomic_load_n(&closed, __ATOMIC_SEQ_CST)) {
		__atomic_sub_fetch(&slot_readers[i], 1, __ATOMIC_SEQ_CST);
		return NULL;
	}
	*slot = i;
	return s;
}

void tel_snapshot_release(unsigned int slot)
{
	__atomic_sub_fetch(&slot_readers[slot], 1, __ATOMIC_SEQ_CST);
}

int tel_snapshot_publish(struct tel_snapshot *s)
{
	unsigned int next = published ^ 1; /* only this thread writes published */

	if (__atomic_load_n(&slot_readers[next], __ATOMIC_SEQ_CST) != 0)
		return -EBUSY;
	tel_snapshot_free(slots[next]);
	__atomic_store_n(&slots[next], s, __ATOMIC_SEQ_CST);
	__atomic_store_n(&published, next, __ATOMIC_SEQ_CST);
	return 0;
}

void tel_snapshot_refresh(void *arg)
{
	struct tel_snapshot *s;

	(void)arg;
	if (__atomic_load_n(&closed, __ATOMIC_SEQ_CST) ||
		__atomic_load_n(&slot_readers[published ^ 1], __ATOMIC_SEQ_CST) != 0)
		return;
	s = tel_snapshot_take();
	if (s == NULL) {
		LOG(ERR, "telemetry: %s", fp_errmsg());
		return;
	}
	if (tel_snapshot_publish(s) < 0)
		tel_snapshot_free(s);
}

int tel_snapshot_close(unsigned int timeout_ms)
{
	uint64_t deadline = control_now_ms() + timeout_ms;

	/* a reader pinning after this sees closed and lets go without reading */
	__atomic_store_n(&closed, true, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&slot_readers[0], __ATOMIC_SEQ_CST) != 0 ||
		__atomic_load_n(&slot_readers[1], __ATOMIC_SEQ_CST) != 0) {
		if (control_now_ms() > deadline)
			/* leaked rather than freed under a reader */
			return fp_error(EBUSY, "telemetry: a reader still holds a snapshot");
		usleep(1000);
	}
	for (unsigned int i = 0; i < 2; i++) {
		tel_snapshot_free(slots[i]);
		__atomic_store_n(&slots[i], NULL, __ATOMIC_SEQ_CST);
	}
	return 0;
}

void tel_snapshot_reopen(void)
{
	__atomic_store_n(&closed, false, __ATOMIC_SEQ_CST);
}
