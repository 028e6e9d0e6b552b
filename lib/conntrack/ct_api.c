/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The API of connection tracking, conntrack-tools' operations (docs/api.md, "Connection
 * tracking"): conntrack.list (-L), conntrack.count (-C), conntrack.stats (-S),
 * conntrack.delete (-D), conntrack.flush (-F), and the "conntrack" events of monitor (-E).
 */
#include "ct_state.h"
#include "api/api.h"
#include "infra/control.h"
#include "base/fp_error.h"
#include "base/module.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_RING  4096 /* events per thread between two ticks of the control loop */
#define EVENT_BURST 64

struct ct_state ct_state;

/* The filter arguments, by the API's name and conntrack's option. */
static const char *const filter_opts[][2] = {
	{"proto", "-p"},
	{"src", "-s"},
	{"dst", "-d"},
	{"sport", "--sport"},
	{"dport", "--dport"},
	{"state", "--state"},
	{"zone", "-w"},
	{"family", "-f"},
};

static int table_of(struct ct_table **t)
{
	*t = ct_state.table;
	if (*t == NULL || ct_state.control == NULL)
		return fp_error(EPROTONOSUPPORT,
			"connection tracking is off (config: \"conntrack\": {\"enabled\": true})");
	return 0;
}

/* args' filters into f, through conntrack's own option words (ct_filter_parse). */
static int filter_of(const json_t *args, struct ct_filter *f)
{
	const char *argv[2 * RTE_DIM(filter_opts)];
	char nums[RTE_DIM(filter_opts)][24];
	int argc = 0;

	for (size_t i = 0; i < RTE_DIM(filter_opts); i++) {
		const json_t *v = json_object_get(args, filter_opts[i][0]);

		if (v == NULL)
			continue;
		if (json_is_integer(v))
			snprintf(nums[i], sizeof(nums[i]), "%" JSON_INTEGER_FORMAT,
				json_integer_value(v));
		else if (!json_is_string(v))
			return fp_error(
				EINVAL, "%s: expected a string or a number", filter_opts[i][0]);
		argv[argc++] = filter_opts[i][1];
		argv[argc++] = json_is_integer(v) ? nums[i] : json_string_value(v);
	}
	return ct_filter_parse(f, argc, argv);
}

static int want_json(const json_t *args, bool *json)
{
	const json_t *v = json_object_get(args, "json");

	if (v != NULL && !json_is_boolean(v))
		return fp_error(EINVAL, "json: expected true or false");
	*json = json_is_true(v);
	return 0;
}

/*
 * conntrack.list and conntrack.delete stream their entries: the cursor is a bucket and how
 * many entries of it were sent, a position that survives changes between chunks.
 */
struct cursor {
	struct ct_filter f;
	bool json, delete;
	uint32_t bucket, skip;
};

struct chunk {
	struct cursor *c;
	json_t *items;
	size_t max;
	uint64_t now_ms;
	uint32_t seen; /* entries of the bucket walked so far */
};

static int chunk_add(const struct ct_entry *e, void *arg)
{
	struct chunk *k = arg;
	char line[512];

	if (!ct_filter_match(&k->c->f, e))
		return 0;
	if (k->seen++ < k->c->skip)
		return 0;
	if (json_array_size(k->items) == k->max)
		return 1; /* the chunk is full: this bucket resumes here */
	if (k->c->json) {
		json_array_append_new(k->items, ct_entry_json(ct_state.table, e, k->now_ms));
	} else {
		ct_format(ct_state.table, e, k->now_ms, line, sizeof(line));
		json_array_append_new(k->items, json_string(line));
	}
	/* unlinked, but intact until the next ct_gc(): the walk goes on past it */
	if (k->c->delete)
		ct_delete(ct_state.table, (struct ct_entry *)e);
	return 0;
}

static int entries_next(void *cursor, json_t *items, size_t max)
{
	struct cursor *c = cursor;
	struct chunk k = {.c = c, .items = items, .max = max, .now_ms = control_now_ms()};
	struct ct_table *t;
	int ret = table_of(&t);

	if (ret < 0)
		return ret;
	for (; c->bucket < ct_table_buckets(t); c->bucket++, c->skip = 0) {
		k.seen = 0;
		if (ct_walk_buckets(t, k.now_ms, c->bucket, 1, chunk_add, &k) != 0) {
			/* deleted entries leave the chain: nothing of this bucket to skip */
			c->skip = c->delete ? 0 : k.seen - 1;
			return 1;
		}
	}
	return 0;
}

static int stream_entries(const json_t *args, bool delete)
{
	struct cursor *c;
	struct ct_table *t;
	struct ct_filter f;
	bool json = false;
	int ret;

	if ((ret = table_of(&t)) < 0 || (ret = filter_of(args, &f)) < 0 ||
		(ret = want_json(args, &json)) < 0)
		return ret;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return fp_error(ENOMEM, "out of memory");
	*c = (struct cursor){.f = f, .json = json, .delete = delete};
	return api_stream_begin("entries", entries_next, free, c);
}

static int api_ct_list(const json_t *args, json_t **result)
{
	(void)result;
	return stream_entries(args, false);
}

static int api_ct_delete(const json_t *args, json_t **result)
{
	(void)result;
	return stream_entries(args, true);
}

#define FILTER_ARGS "proto", "src", "dst", "sport", "dport", "state", "zone", "family", "json"

API_COMMAND(ct_list_cmd, "conntrack.list",
	"the tracked connections as conntrack -L prints them (json: as objects), filtered",
	api_ct_list, API_ARGS(FILTER_ARGS))
API_COMMAND(ct_delete_cmd, "conntrack.delete",
	"delete the tracked connections the filters match (conntrack -D): those deleted",
	api_ct_delete, API_ARGS(FILTER_ARGS))

static int count_match(const struct ct_entry *e, void *arg)
{
	struct chunk *k = arg;

	k->seen += ct_filter_match(&k->c->f, e);
	return 0;
}

/* Without filters the table's count (unconfirmed entries included, as Linux's); with, a walk. */
static int api_ct_count(const json_t *args, json_t **result)
{
	struct cursor c = {0};
	struct chunk k = {.c = &c};
	struct ct_table *t;
	int ret;

	if ((ret = table_of(&t)) < 0 || (ret = filter_of(args, &c.f)) < 0)
		return ret;
	if (json_object_size(args) == 0)
		k.seen = ct_table_count(t);
	else
		ct_walk(t, control_now_ms(), count_match, &k);
	*result = json_pack(
		"{s:I, s:I}", "count", (json_int_t)k.seen, "max", (json_int_t)ct_table_capacity(t));
	return 0;
}

API_COMMAND(ct_count_cmd, "conntrack.count",
	"the number of tracked connections (conntrack -C), or of those the filters match",
	api_ct_count, API_ARGS("proto", "src", "dst", "sport", "dport", "state", "zone", "family"))

static json_t *worker_stats(unsigned int cpu, const struct ct_worker *w)
{
	char line[512];

	ct_stats_format(cpu, w, line, sizeof(line));
	return json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "cpu",
		cpu, "found", (json_int_t)w->found, "invalid", (json_int_t)w->invalid, "insert",
		(json_int_t)w->insert, "insert_failed", (json_int_t)w->insert_failed, "drop",
		(json_int_t)w->drop, "early_drop", (json_int_t)w->early_drop, "error",
		(json_int_t)w->error, "clash_resolve", (json_int_t)w->clash_resolve, "new",
		(json_int_t)w->new_, "table_full", (json_int_t)w->table_full, "events_lost",
		(json_int_t)w->ev_lost, "line", line);
}

static int api_ct_stats(const json_t *args, json_t **result)
{
	json_t *workers = json_array();
	struct ct_table *t;
	int ret = table_of(&t);

	(void)args;
	if (ret < 0) {
		json_decref(workers);
		return ret;
	}
	for (unsigned int i = 0; i < ct_state.n_workers; i++)
		json_array_append_new(workers, worker_stats(i, &ct_state.workers[i]));
	*result = json_pack("{s:o, s:I, s:I, s:I}", "workers", workers, "events_lost",
		(json_int_t)(ct_state.control ? ct_state.control->ev_lost : 0), "capacity",
		(json_int_t)ct_table_capacity(t), "bytes_per_entry",
		(json_int_t)ct_table_bytes_per_entry(t));
	return 0;
}

API_COMMAND(ct_stats_cmd, "conntrack.stats",
	"the counters of each worker, as conntrack -S prints a CPU's; the table's capacity and its "
	"bytes per entry",
	api_ct_stats, API_NO_ARGS)

static int api_ct_flush(const json_t *args, json_t **result)
{
	struct ct_table *t;
	int ret = table_of(&t);

	(void)args;
	(void)result;
	if (ret < 0)
		return ret;
	ct_flush(t, ct_state.control);
	return 0;
}

API_COMMAND(ct_flush_cmd, "conntrack.flush", "delete every tracked connection (conntrack -F)",
	api_ct_flush, API_NO_ARGS)

/*
 * Events. Every tick of the control loop: while a monitor client wants the class
 * "conntrack", ct_events_on is set and the threads' rings drained into api_event_publish();
 * else it is cleared (the workers see it at their next burst) and what is left is dropped.
 */

static void worker_ring(struct ct_worker *w)
{
	size_t size = ct_event_ring_size(EVENT_RING);
	void *mem;

	if (w->ev != NULL || size == 0)
		return;
	mem = aligned_alloc(64, RTE_ALIGN_CEIL(size, 64));
	if (mem == NULL)
		return; /* the thread's events stay off: ct_events_burst() needs its ring */
	/* the ring before the flag (released by its store): a worker seeing one sees both */
	__atomic_store_n(&w->ev, ct_event_ring_init(mem, EVENT_RING), __ATOMIC_RELEASE);
	if (w->ev == NULL)
		free(mem);
}

void ct_state_worker_fini(struct ct_worker *w)
{
	free(w->ev);
	w->ev = NULL;
}

/* The events lost so far, all rings: a new loss is told to the listeners. */
static uint64_t lost_told;

static uint64_t events_lost(void)
{
	uint64_t n = ct_state.control != NULL ? ct_state.control->ev_lost : 0;

	for (unsigned int i = 0; i < ct_state.n_workers; i++)
		n += __atomic_load_n(&ct_state.workers[i].ev_lost, __ATOMIC_RELAXED);
	return n;
}

static void drain(struct ct_worker *w, bool publish)
{
	static const char *const types[] = {
		"conntrack.new", "conntrack.update", "conntrack.destroy"};
	struct ct_event evs[EVENT_BURST];
	unsigned int n;

	while ((n = ct_event_pull(w, evs, RTE_DIM(evs))) > 0)
		for (unsigned int i = 0; publish && i < n; i++)
			api_event_publish(types[evs[i].type], ct_event_json(&evs[i]));
}

void ct_events_tick(void *arg)
{
	bool on = ct_state.table != NULL && api_event_wanted("conntrack");

	(void)arg;
	if (on && !ct_events_on) {
		for (unsigned int i = 0; i < ct_state.n_workers; i++)
			worker_ring(&ct_state.workers[i]);
		if (ct_state.control != NULL)
			worker_ring(ct_state.control);
	}
	__atomic_store_n(&ct_events_on, on, __ATOMIC_RELEASE);
	/* the control thread's last: a flow's destroy after what its workers said of it */
	for (unsigned int i = 0; i < ct_state.n_workers; i++)
		drain(&ct_state.workers[i], on);
	if (ct_state.control != NULL)
		drain(ct_state.control, on);
	/* as Linux's ENOBUFS on the netlink socket: conntrack -E warns */
	if (on && events_lost() != lost_told) {
		lost_told = events_lost();
		api_event_publish("conntrack.lost", json_pack("{s:I}", "lost", (json_int_t)lost_told));
	}
}

static int ct_api_init(void)
{
	return control_timer_add("conntrack_events", 10, ct_events_tick, NULL);
}

static struct fp_module ct_api_module = {
	.name = "conntrack_api",
	.order = 89,
	.init = ct_api_init,
};
FP_MODULE_REGISTER(ct_api_module)
