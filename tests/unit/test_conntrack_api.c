/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The conntrack API (conntrack.list, count, stats, delete, flush, the monitor's events) on
 * the real server and control loop, on a table filled through the core as a worker fills
 * it; the lines compared with what conntrack-tools 1.4.7 printed for the same flows on a
 * Linux 6.18 router.
 */
#include "api/api.h"
#include "api/client.h"
#include "base/fp_error.h"
#include "conntrack/ct_state.h"
#include "ct_test.h"
#include "infra/control.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static char sock_path[108];
static pthread_t loop_thread;
static struct api_client *C;
static struct ct_table *T;
static struct ct_worker workers[2], control;
/* added to the gc's clock by the tests, to expire entries */
static volatile uint64_t gc_ahead_ms;

#define A "10.0.1.2"
#define B "10.0.2.2"

static void gc_tick(void *arg)
{
	(void)arg;
	ct_gc(T, &control, control_now_ms() + gc_ahead_ms, ct_table_buckets(T));
}

static void *loop(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)control_run();
}

static int setup(void **state)
{
	struct ct_table_params p = {.capacity = 16384, .rcu = test_qsbr(1)};

	(void)state;
	snprintf(sock_path, sizeof(sock_path), "/tmp/fp-test-ctapi-%d.sock", (int)getpid());
	if (ct_table_create(&p, &T) < 0 || control_init() < 0 || api_server_start(sock_path) < 0 ||
		control_timer_add("ct_gc", 10, gc_tick, NULL) < 0 ||
		control_timer_add("ct_events", 10, ct_events_tick, NULL) < 0)
		return -1;
	ct_state = (struct ct_state){
		.table = T, .workers = workers, .n_workers = 2, .control = &control};
	if (pthread_create(&loop_thread, NULL, loop, NULL) != 0)
		return -1;
	return api_client_connect(sock_path, &C);
}

static int teardown(void **state)
{
	api_client_close(C);
	control_stop();
	pthread_join(loop_thread, NULL);
	api_server_stop();
	control_fini();
	for (unsigned int i = 0; i < 2; i++)
		ct_state_worker_fini(&workers[i]);
	ct_state_worker_fini(&control);
	ct_table_destroy(T);
	return test_qsbr_free_all(state);
}

/* A packet through prerouting and postrouting on worker w, now. */
static void run(unsigned int w, struct ct_pkt *p)
{
	uint64_t now = control_now_ms();

	assert_non_null(p);
	ct_in_bulk(T, &workers[w], &p, 1, now);
	if (p->ct != NULL)
		assert_int_equal(ct_confirm(T, &workers[w], p, now), 0);
	ct_walk_end(T, &workers[w]);
}

/* conntrack's handshake of the example, the SYN on worker 0, the rest on worker 1. */
static void tcp_handshake(void)
{
	struct tpkt t;

	run(0, tcp_pkt(&t, A, 40000, B, 5001, TH_SYN, 1000, 0, 64240, 0, 0));
	run(1, tcp_pkt(&t, B, 5001, A, 40000, TH_SYN | TH_ACK, 5000, 1001, 65160, 0, 0));
	run(1, tcp_pkt(&t, A, 40000, B, 5001, TH_ACK, 1001, 5001, 502, 0, 0));
}

static json_t *call(const char *cmd, json_t *args)
{
	json_t *result = NULL;

	if (api_client_call(C, cmd, args, &result) < 0)
		fail_msg("%s: %s", cmd, fp_errmsg());
	return result;
}

static void flush(void)
{
	json_decref(call("conntrack.flush", NULL));
	assert_int_equal(ct_table_count(T), 0);
}

/* The line with its timeout (the 3rd field, seconds left: moves with the clock) as "T". */
static const char *untimed(const char *line)
{
	static char buf[512];
	const char *p = line;

	for (int f = 0; f < 2; f++)
		p = strchr(p + strspn(p, " "), ' ') + 1;
	p += strspn(p, " ");
	snprintf(buf, sizeof(buf), "%.*sT%s", (int)(p - line), line, strchr(p, ' '));
	return buf;
}

static const char *const LINUX_TCP =
	"tcp      6 431999 ESTABLISHED src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=5001 "
	"src=10.0.2.2 dst=10.0.1.2 sport=5001 dport=40000 [ASSURED] mark=0 use=1";
static const char *const LINUX_UDP =
	"udp      17 27 src=10.0.1.2 dst=10.0.2.2 sport=40001 dport=5353 [UNREPLIED] "
	"src=10.0.2.2 dst=10.0.1.2 sport=5353 dport=40001 mark=0 use=1";
static const char *const LINUX_ICMP =
	"icmp     1 29 src=10.0.1.2 dst=10.0.2.2 type=8 code=0 id=14092 src=10.0.2.2 "
	"dst=10.0.1.2 type=0 code=0 id=14092 mark=0 use=1";

static void three_flows(void)
{
	struct tpkt t;

	tcp_handshake();
	run(0, udp_pkt(&t, A, 40001, B, 5353, 0));
	run(0, icmp_pkt(&t, A, B, 8, 0, 14092, NULL, 0));
	run(1, icmp_pkt(&t, B, A, 0, 0, 14092, NULL, 0));
}

/* The lines of conntrack.list with args, untimed, sorted into one text. */
static char *listed(json_t *args, size_t *n)
{
	json_t *r = call("conntrack.list", args), *e;
	char *lines[8], *text = calloc(1, 4096);
	size_t i;

	*n = json_array_size(json_object_get(r, "entries"));
	assert_true(*n <= 8);
	json_array_foreach (json_object_get(r, "entries"), i, e)
		lines[i] = strdup(untimed(json_string_value(e)));
	for (size_t a = 0; a < *n; a++)
		for (size_t b = a + 1; b < *n; b++)
			if (strcmp(lines[a], lines[b]) > 0) {
				char *x = lines[a];

				lines[a] = lines[b];
				lines[b] = x;
			}
	for (i = 0; i < *n; i++) {
		strcat(text, lines[i]);
		strcat(text, "\n");
		free(lines[i]);
	}
	json_decref(r);
	return text;
}

static void test_list_filters(void **state)
{
	char want[2048];
	size_t n;
	char *got;

	(void)state;
	three_flows();
	/* untimed() returns its own buffer: one at a time */
	want[0] = '\0';
	strcat(strcat(want, untimed(LINUX_ICMP)), "\n");
	strcat(strcat(want, untimed(LINUX_TCP)), "\n");
	strcat(strcat(want, untimed(LINUX_UDP)), "\n");
	got = listed(NULL, &n);
	assert_int_equal(n, 3);
	assert_string_equal(got, want);
	free(got);

	got = listed(json_pack("{s:s, s:s}", "proto", "tcp", "state", "ESTABLISHED"), &n);
	assert_int_equal(n, 1);
	snprintf(want, sizeof(want), "%s\n", untimed(LINUX_TCP));
	assert_string_equal(got, want);
	free(got);
	got = listed(json_pack("{s:s, s:i}", "proto", "udp", "dport", 5353), &n);
	snprintf(want, sizeof(want), "%s\n", untimed(LINUX_UDP));
	assert_string_equal(got, want);
	free(got);
	free(listed(json_pack("{s:s, s:s}", "proto", "tcp", "state", "TIME_WAIT"), &n));
	assert_int_equal(n, 0);
	free(listed(json_pack("{s:s}", "src", B), &n));
	assert_int_equal(n, 0);
	free(listed(json_pack("{s:s, s:s}", "dst", B, "family", "ipv4"), &n));
	assert_int_equal(n, 3);
	free(listed(json_pack("{s:s}", "family", "ipv6"), &n));
	assert_int_equal(n, 0);
	free(listed(json_pack("{s:i}", "zone", 3), &n));
	assert_int_equal(n, 0);
	free(listed(json_pack("{s:s}", "proto", "1"), &n));
	assert_int_equal(n, 1);

	/* -j: objects */
	{
		json_t *r =
			call("conntrack.list", json_pack("{s:s, s:b}", "proto", "tcp", "json", 1));
		json_t *e = json_array_get(json_object_get(r, "entries"), 0);

		assert_string_equal(json_string_value(json_object_get(e, "state")), "ESTABLISHED");
		assert_int_equal(
			json_integer_value(json_object_get(json_object_get(e, "reply"), "sport")),
			5001);
		json_decref(r);
	}
	/* -C, with and without filters */
	{
		json_t *r = call("conntrack.count", NULL);

		assert_int_equal(json_integer_value(json_object_get(r, "count")), 3);
		json_decref(r);
		r = call("conntrack.count", json_pack("{s:s}", "proto", "udp"));
		assert_int_equal(json_integer_value(json_object_get(r, "count")), 1);
		json_decref(r);
	}
	flush();
}

static void refused(const char *cmd, json_t *args, int err, const char *msg)
{
	assert_int_equal(api_client_call(C, cmd, args, NULL), -err);
	if (strstr(fp_errmsg(), msg) == NULL)
		fail_msg("%s: '%s' has no '%s'", cmd, fp_errmsg(), msg);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	refused("conntrack.list", json_pack("{s:s}", "proto", "foo"), EINVAL,
		"unknown protocol 'foo'");
	refused("conntrack.list", json_pack("{s:i}", "sport", 80), EINVAL, "need -p tcp or -p udp");
	refused("conntrack.list", json_pack("{s:s, s:s}", "proto", "tcp", "state", "FOO"), EINVAL,
		"unknown TCP state 'FOO'");
	refused("conntrack.delete", json_pack("{s:s}", "src", "1.2.3.x"), EINVAL,
		"'1.2.3.x' is no address");
	refused("conntrack.list", json_pack("{s:s}", "family", "ipv5"), EINVAL,
		"unknown family 'ipv5'");
	refused("conntrack.list", json_pack("{s:s, s:s}", "family", "ipv6", "src", A), EINVAL,
		"mismatched address family");
	refused("conntrack.list", json_pack("{s:i}", "zone", -1), EINVAL, "-w takes a number");
	refused("conntrack.list", json_pack("{s:s, s:i}", "proto", "tcp", "dport", 70000), EINVAL,
		"--dport takes a number from 0 to 65535");
	refused("conntrack.list", json_pack("{s:i}", "json", 1), EINVAL, "json: expected");
	refused("conntrack.count", json_pack("{s:[]}", "proto"), EINVAL, "proto: expected");
	refused("conntrack.list", json_pack("{s:s}", "protocol", "tcp"), EINVAL,
		"unknown argument 'protocol'");
	refused("conntrack.flush", json_pack("{s:s}", "proto", "tcp"), EINVAL,
		"unknown argument 'proto'");
}

static void test_delete_stats(void **state)
{
	json_t *r;

	(void)state;
	three_flows();
	r = call("conntrack.delete", json_pack("{s:s}", "proto", "udp"));
	assert_int_equal(json_array_size(json_object_get(r, "entries")), 1);
	assert_string_equal(
		untimed(json_string_value(json_array_get(json_object_get(r, "entries"), 0))),
		untimed(LINUX_UDP));
	json_decref(r);
	r = call("conntrack.count", NULL);
	assert_int_equal(json_integer_value(json_object_get(r, "count")), 2);
	json_decref(r);
	/* nothing left to match */
	r = call("conntrack.delete", json_pack("{s:s}", "proto", "udp"));
	assert_int_equal(json_array_size(json_object_get(r, "entries")), 0);
	json_decref(r);

	r = call("conntrack.stats", NULL);
	assert_int_equal(json_array_size(json_object_get(r, "workers")), 2);
	/* what make bench reports: the table's size and its memory per entry */
	assert_int_equal(json_integer_value(json_object_get(r, "capacity")), 16384);
	assert_int_equal(json_integer_value(json_object_get(r, "bytes_per_entry")),
		ct_table_bytes_per_entry(T));
	assert_true(ct_table_bytes_per_entry(T) >= 192);
	{
		const json_t *w1 = json_array_get(json_object_get(r, "workers"), 1);
		char want[512];

		snprintf(want, sizeof(want),
			"cpu=1   \tfound=%d invalid=0 insert=0 insert_failed=0 drop=0 early_drop=0 "
			"error=0 search_restart=0 clash_resolve=0 chaintoolong=0 ",
			(int)workers[1].found);
		assert_true(workers[1].found >= 3);
		assert_string_equal(json_string_value(json_object_get(w1, "line")), want);
	}
	json_decref(r);
	flush();
}

/* api_client_call_each()'s: the chunks and the entries seen. */
static int count_chunk(const json_t *result, void *arg)
{
	size_t *chunks = arg;

	chunks[0]++;
	chunks[1] += json_array_size(json_object_get(result, "entries"));
	return 0;
}

/* Many entries: the list comes in chunks, each entry once. */
static void test_list_streamed(void **state)
{
	const unsigned int n = 12000;
	json_t *r, *e;
	uint8_t *seen = calloc(n, 1);
	size_t i, chunks[2] = {0, 0};

	(void)state;
	for (unsigned int k = 0; k < n; k++) {
		struct tpkt t;

		run(0, udp_pkt(&t, A, (uint16_t)(1024 + k), B, 53, 0));
	}
	r = call("conntrack.list", json_pack("{s:s, s:b}", "proto", "udp", "json", 1));
	assert_int_equal(json_array_size(json_object_get(r, "entries")), n);
	json_array_foreach (json_object_get(r, "entries"), i, e) {
		json_int_t sport = json_integer_value(
			json_object_get(json_object_get(e, "original"), "sport"));

		assert_true(sport >= 1024 && sport < 1024 + n);
		assert_int_equal(seen[sport - 1024]++, 0);
	}
	json_decref(r);
	/* as fastpathctl reads it: a chunk at a time */
	assert_int_equal(api_client_call_each(C, "conntrack.list",
				 json_pack("{s:s}", "proto", "udp"), count_chunk, chunks),
		0);
	assert_true(chunks[0] >= 2);
	assert_int_equal(chunks[1], n);
	r = call("conntrack.delete", json_pack("{s:s}", "dst", B));
	assert_int_equal(json_array_size(json_object_get(r, "entries")), n);
	json_decref(r);
	free(seen);
	/* gone once the gc ran its grace period */
	for (int i = 0; i < 200 && ct_table_count(T) > 0; i++)
		usleep(10000);
	assert_int_equal(ct_table_count(T), 0);
}

/* The next event's line, within 2 s. */
static char *next_event(const char *type)
{
	static char line[512];
	json_t *ev;

	if (api_client_event(C, 2000, &ev) < 0)
		fail_msg("no %s event: %s", type, fp_errmsg());
	assert_string_equal(json_string_value(json_object_get(ev, "event")), type);
	snprintf(line, sizeof(line), "%s",
		json_string_value(json_object_get(json_object_get(ev, "object"), "line")));
	json_decref(ev);
	return line;
}

static void test_events(void **state)
{
	struct tpkt t;
	json_t *ev;

	(void)state;
	/* nobody listens: nothing is copied */
	run(0, udp_pkt(&t, A, 40009, B, 5353, 0));
	assert_false(workers[0].ev_on);
	flush();

	json_decref(call("monitor", json_pack("{s:[s]}", "events", "conntrack")));
	for (int i = 0; i < 200 && !__atomic_load_n(&ct_events_on, __ATOMIC_ACQUIRE); i++)
		usleep(5000);
	assert_true(ct_events_on);
	/* what the flush left was destroyed before the subscription */
	assert_int_equal(api_client_event(C, 100, &ev), -ETIMEDOUT);

	/* conntrack -E on Linux for the same handshake */
	tcp_handshake();
	assert_string_equal(next_event("conntrack.new"),
		"    [NEW] tcp      6 120 SYN_SENT src=10.0.1.2 dst=10.0.2.2 sport=40000 "
		"dport=5001 [UNREPLIED] src=10.0.2.2 dst=10.0.1.2 sport=5001 dport=40000");
	assert_string_equal(next_event("conntrack.update"),
		" [UPDATE] tcp      6 60 SYN_RECV src=10.0.1.2 dst=10.0.2.2 sport=40000 "
		"dport=5001 src=10.0.2.2 dst=10.0.1.2 sport=5001 dport=40000");
	assert_string_equal(next_event("conntrack.update"),
		" [UPDATE] tcp      6 432000 ESTABLISHED src=10.0.1.2 dst=10.0.2.2 sport=40000 "
		"dport=5001 src=10.0.2.2 dst=10.0.1.2 sport=5001 dport=40000 [ASSURED]");
	/* a packet that changes nothing says nothing */
	run(0, tcp_pkt(&t, A, 40000, B, 5001, TH_ACK, 1001, 5001, 502, 0, 0));
	assert_int_equal(api_client_event(C, 100, &ev), -ETIMEDOUT);

	/* expiry: no timeout in the line, as Linux */
	run(0, udp_pkt(&t, A, 40002, B, 5353, 0));
	assert_string_equal(next_event("conntrack.new"),
		"    [NEW] udp      17 30 src=10.0.1.2 dst=10.0.2.2 sport=40002 dport=5353 "
		"[UNREPLIED] src=10.0.2.2 dst=10.0.1.2 sport=5353 dport=40002");
	gc_ahead_ms = 31000;
	assert_string_equal(next_event("conntrack.destroy"),
		"[DESTROY] udp      17 src=10.0.1.2 dst=10.0.2.2 sport=40002 dport=5353 "
		"[UNREPLIED] src=10.0.2.2 dst=10.0.1.2 sport=5353 dport=40002");
	gc_ahead_ms = 0;
	/* a delete: the time left shows */
	json_decref(call("conntrack.delete", json_pack("{s:s}", "proto", "tcp")));
	{
		char *l = next_event("conntrack.destroy");

		assert_non_null(strstr(l, "[DESTROY] tcp      6 43199"));
		assert_non_null(strstr(l, " ESTABLISHED src=10.0.1.2"));
	}

	json_decref(call("monitor.stop", NULL));
	for (int i = 0; i < 200 && __atomic_load_n(&ct_events_on, __ATOMIC_ACQUIRE); i++)
		usleep(5000);
	assert_false(ct_events_on);
	run(0, udp_pkt(&t, A, 40003, B, 5353, 0));
	assert_false(workers[0].ev_on);
	assert_int_equal(workers[0].ev_lost, 0);
	flush();
}

/* A full ring counts what it cannot take and never waits; what it took comes out in order. */
static void test_event_ring_full(void **state)
{
	struct ct_worker w = {0};
	struct ct_event evs[8];
	struct ct_entry *e;
	void *mem = aligned_alloc(64, RTE_ALIGN_CEIL(ct_event_ring_size(4), 64));
	struct tpkt t;

	(void)state;
	run(0, udp_pkt(&t, A, 40005, B, 5353, 0));
	e = ct_lookup(T, &t.p.t, control_now_ms(), NULL);
	assert_non_null(e);
	assert_non_null(w.ev = ct_event_ring_init(mem, 4));
	for (int i = 0; i < 5; i++)
		ct_event_push(&w, e, i == 0 ? CT_EV_NEW : CT_EV_UPDATE, control_now_ms());
	/* an rte_ring of 4 holds 3 */
	assert_int_equal(w.ev_lost, 2);
	assert_int_equal(ct_event_pull(&w, evs, 8), 3);
	assert_int_equal(evs[0].type, CT_EV_NEW);
	assert_int_equal(evs[0].orig.sport, 40005);
	assert_int_equal(evs[2].type, CT_EV_UPDATE);
	assert_int_equal(ct_event_pull(&w, evs, 8), 0);
	ct_state_worker_fini(&w);
	assert_null(w.ev);
	flush();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_filters),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_delete_stats),
		cmocka_unit_test(test_list_streamed),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_event_ring_full),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
