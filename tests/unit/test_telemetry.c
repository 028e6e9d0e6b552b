/* SPDX-License-Identifier: BSD-3-Clause */
#include "config/config.h"
#include "base/fp_error.h"
#include "telemetry/telemetry.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

static void add(struct tel_snapshot *s, const char *kind, const char *name, const char *field,
	uint64_t value)
{
	assert_int_equal(tel_snapshot_add(s, kind, name, field, value), 0);
}

static void test_format(void **state)
{
	struct tel_snapshot *s = tel_snapshot_new();
	char *text = NULL;
	size_t len = 0;

	(void)state;
	/* as counters_walk() gives them: a port's fields one after the other */
	add(s, "ports", "p1", "rx_packets", 123);
	add(s, "ports", "p1", "tx_packets", 7);
	add(s, "ports", "p\"2\\", "rx_packets", 5);
	add(s, "ports", "p\"2\\", "tx_packets", 0);
	add(s, "nodes", "ip4_input", "calls", 10);
	add(s, "nodes", "ip4_input", "packets", 20);
	add(s, "nodes", "ip4_input", "cycles", 18446744073709551615ULL);
	add(s, "drops", "ip4_bad_checksum", "packets", 5);
	add(s, "nodes", "ip4_route", "calls", 1);
	add(s, "drops", "neigh\nfull", "packets", 2);
	add(s, "drops", "ip4_bad_checksum", "packets", 9); /* a repeated name keeps the first */
	add(s, "others", "x", "y", 1);			   /* unknown kinds are not kept */
	add(s, "mempools", "mbuf-0", "size", 32767);
	add(s, "mempools", "mbuf-0", "in_use", 1024);
	add(s, "mempools", "mbuf-0", "free", 31743);
	add(s, "mempools", "capture", "in_use", 0);
	assert_int_equal(s->n, 15);
	assert_int_equal(om_format(s, &text, &len), 0);
	assert_string_equal(text,
		"# HELP fastpath_port_rx_packets Packets received by the port.\n"
		"# TYPE fastpath_port_rx_packets counter\n"
		"fastpath_port_rx_packets_total{port=\"p1\"} 123\n"
		"fastpath_port_rx_packets_total{port=\"p\\\"2\\\\\"} 5\n"
		"# HELP fastpath_port_tx_packets Packets sent by the port.\n"
		"# TYPE fastpath_port_tx_packets counter\n"
		"fastpath_port_tx_packets_total{port=\"p1\"} 7\n"
		"fastpath_port_tx_packets_total{port=\"p\\\"2\\\\\"} 0\n"
		"# HELP fastpath_node_calls Calls of the graph node, summed over the workers.\n"
		"# TYPE fastpath_node_calls counter\n"
		"fastpath_node_calls_total{node=\"ip4_input\"} 10\n"
		"fastpath_node_calls_total{node=\"ip4_route\"} 1\n"
		"# HELP fastpath_node_packets Packets handled by the graph node, summed over the "
		"workers.\n"
		"# TYPE fastpath_node_packets counter\n"
		"fastpath_node_packets_total{node=\"ip4_input\"} 20\n"
		"# HELP fastpath_node_cycles TSC cycles spent in the graph node, summed over the "
		"workers.\n"
		"# TYPE fastpath_node_cycles counter\n"
		"fastpath_node_cycles_total{node=\"ip4_input\"} 18446744073709551615\n"
		"# HELP fastpath_drops Packets dropped, by reason.\n"
		"# TYPE fastpath_drops counter\n"
		"fastpath_drops_total{reason=\"ip4_bad_checksum\"} 5\n"
		"fastpath_drops_total{reason=\"neigh\\nfull\"} 2\n"
		/* gauges: no _total */
		"# HELP fastpath_mempool_size Objects (mbufs, RIB nodes) the mempool was made "
		"with.\n"
		"# TYPE fastpath_mempool_size gauge\n"
		"fastpath_mempool_size{pool=\"mbuf-0\"} 32767\n"
		"# HELP fastpath_mempool_in_use Objects of the mempool in use now (mbufs: in "
		"packets, rings and queues).\n"
		"# TYPE fastpath_mempool_in_use gauge\n"
		"fastpath_mempool_in_use{pool=\"mbuf-0\"} 1024\n"
		"fastpath_mempool_in_use{pool=\"capture\"} 0\n"
		"# HELP fastpath_mempool_free Objects of the mempool free now, the lcore "
		"caches' too.\n"
		"# TYPE fastpath_mempool_free gauge\n"
		"fastpath_mempool_free{pool=\"mbuf-0\"} 31743\n"
		"# EOF\n");
	assert_int_equal(len, strlen(text));
	free(text);

	/* an empty snapshot is a valid exposition */
	tel_snapshot_free(s);
	s = tel_snapshot_new();
	add(s, "ports", "p0", "rx-odd field", 1);
	assert_int_equal(om_format(s, &text, &len), 0);
	assert_string_equal(text,
		"# HELP fastpath_port_rx_odd_field Counter rx-odd field of the port.\n"
		"# TYPE fastpath_port_rx_odd_field counter\n"
		"fastpath_port_rx_odd_field_total{port=\"p0\"} 1\n"
		"# EOF\n");
	free(text);
	tel_snapshot_free(s);
	s = tel_snapshot_new();
	assert_int_equal(om_format(s, &text, &len), 0);
	assert_string_equal(text, "# EOF\n");
	free(text);
	tel_snapshot_free(s);
}

static void test_first_name(void **state)
{
	struct tel_snapshot *s = tel_snapshot_new();

	(void)state;
	add(s, "ports", "p1", "rx_packets", 1);
	add(s, "ports", "p1", "tx_packets", 1);
	add(s, "nodes", "p1", "calls", 1);
	add(s, "ports", "p2", "rx_packets", 1);
	add(s, "ports", "p1", "rx_bytes", 1);
	assert_true(tel_snapshot_first_name(s, 0));
	assert_false(tel_snapshot_first_name(s, 1));
	assert_true(tel_snapshot_first_name(s, 2)); /* another kind */
	assert_true(tel_snapshot_first_name(s, 3));
	assert_false(tel_snapshot_first_name(s, 4));
	tel_snapshot_free(s);
}

static int classify(const char *req, bool *head)
{
	*head = false;
	return om_http_classify(req, strlen(req), 8192, head);
}

static void test_http_classify(void **state)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
		{"GET /metrics HTTP/1.0\r\n\r\n", 200},
		{"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9464\r\nAccept: */*\r\n\r\n", 200},
		{"GET /metrics?name[]=x HTTP/1.1\r\n\r\n", 200},
		{"GET /metrics HTTP/1.0\n\n", 200}, /* bare line feeds */
		{"GET /metrics HTTP/1.0\r\nUser-Agent: curl\r\n\r\nbody", 200},
		{"GET / HTTP/1.0\r\n\r\n", 404},
		{"GET /metrics/ HTTP/1.0\r\n\r\n", 404},
		{"GET /metricsx HTTP/1.0\r\n\r\n", 404},
		{"POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 405},
		{"DELETE /metrics HTTP/1.0\r\n\r\n", 405},
		{"get /metrics HTTP/1.0\r\n\r\n", 405}, /* methods are case-sensitive */
		{"POST /nope HTTP/1.0\r\n\r\n", 404},
		{"GET /metrics\r\n\r\n", 400}, /* HTTP/0.9 */
		{"GET /metrics HTTP/2.0\r\n\r\n", 400},
		{"GET /metrics HTTP/1.0 x\r\n\r\n", 400},
		{"GET  /metrics HTTP/1.0\r\n\r\n", 400},
		{"GET metrics HTTP/1.0\r\n\r\n", 400},
		{"G(T /metrics HTTP/1.0\r\n\r\n", 400},
		{"\r\nGET /metrics HTTP/1.0\r\n\r\n", 400},
		{"GET /metrics HTTP/1.0\r\nNo colon here\r\n\r\n", 400},
		{"GET /metrics HTTP/1.0\r\n folded: x\r\n\r\n", 400},
		{"GET /metrics HTTP/1.0\r\nBad Name: x\r\n\r\n", 400},
		{"\x16\x03\x01\x02\x00\x01", 400}, /* TLS client hello: refused at once */
		{"GET /met\x01rics", 400},
		{"GET /metrics HTTP/1.0\r\n", 0}, /* incomplete: wait */
		{"GET /metrics HTTP/1.0\r\nHost: x\r\n", 0},
		{"GET /metr", 0},
		{"", 0},
	};
	char big[8192];
	bool head;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int status = classify(cases[i].req, &head);

		if (status != cases[i].status)
			fail_msg("%zu: %d for '%s', expected %d", i, status, cases[i].req,
				cases[i].status);
		if (status == 200)
			assert_false(head);
	}
	assert_int_equal(classify("HEAD /metrics HTTP/1.0\r\n\r\n", &head), 200);
	assert_true(head);
	/* no end of headers within the limit */
	memset(big, 'a', sizeof(big));
	assert_int_equal(om_http_classify(big, sizeof(big), sizeof(big), &head), 400);
	assert_int_equal(om_http_classify(big, 100, sizeof(big), &head), 0);
	memcpy(big, "GET /metrics HTTP/1.0\r\nX: ", 26);
	assert_int_equal(om_http_classify(big, sizeof(big), sizeof(big), &head), 400);
	assert_int_equal(om_http_classify(big, 4000, sizeof(big), &head), 0);
}

/* Parses {"telemetry": ...}: 0 and the parsed section, or <0 with fp_errmsg(). */
static int parse(const char *text, struct cfg_parsed **p)
{
	struct cfg_doc *doc = NULL;
	int ret;

	*p = NULL;
	if (cfg_doc_load_string("t.json", text, &doc) < 0)
		fail_msg("%s", fp_errmsg());
	ret = cfg_parse_doc(doc, p);
	cfg_doc_free(doc);
	return ret;
}

static void assert_listen_error(const char *text, const char *msg)
{
	struct cfg_parsed *p;

	if (parse(text, &p) >= 0)
		fail_msg("'%s' accepted", text);
	assert_string_equal(fp_errmsg(), msg);
	assert_null(p);
}

static const struct tel_conf *assert_listen_ok(const char *text, struct cfg_parsed **p)
{
	const struct tel_conf *c;

	if (parse(text, p) < 0)
		fail_msg("'%s': %s", text, fp_errmsg());
	c = cfg_parsed_get(*p, "telemetry");
	assert_non_null(c);
	return c;
}

static void test_listen_config(void **state)
{
	const struct tel_conf *c;
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;
	struct cfg_parsed *p;

	(void)state;
	c = assert_listen_ok("{\"telemetry\": {}}", &p);
	assert_false(c->openmetrics);
	cfg_parsed_free(p);

	c = assert_listen_ok(
		"{\"telemetry\": {\"openmetrics\": {\"listen\": \"127.0.0.1:9464\"}}}", &p);
	assert_true(c->openmetrics);
	assert_false(c->om.allow_remote);
	assert_string_equal(c->om.text, "127.0.0.1:9464");
	sin = (const struct sockaddr_in *)&c->om.addr;
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 9464);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(c->om.addrlen, sizeof(*sin));
	cfg_parsed_free(p);

	c = assert_listen_ok(
		"{\"telemetry\": {\"openmetrics\": {\"listen\": \"127.9.9.9:1\"}}}", &p);
	cfg_parsed_free(p);
	c = assert_listen_ok(
		"{\"telemetry\": {\"openmetrics\": {\"listen\": \"[::1]:65535\"}}}", &p);
	sin6 = (const struct sockaddr_in6 *)&c->om.addr;
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 65535);
	assert_true(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	cfg_parsed_free(p);
	c = assert_listen_ok(
		"{\"telemetry\": {\"openmetrics\": {\"listen\": \"[::ffff:127.0.0.1]:80\"}}}", &p);
	cfg_parsed_free(p);
	c = assert_listen_ok("{\"telemetry\": {\"openmetrics\": "
			     "{\"listen\": \"0.0.0.0:9464\", \"allow_remote\": true}}}",
		&p);
	assert_true(c->om.allow_remote);
	cfg_parsed_free(p);
	c = assert_listen_ok("{\"telemetry\": {\"openmetrics\": "
			     "{\"listen\": \"[2001:db8::1]:9464\", \"allow_remote\": true}}}",
		&p);
	cfg_parsed_free(p);

	assert_listen_error("{\"telemetry\": {\"openmetrics\": {\"listen\": \"10.0.0.1:9464\"}}}",
		"t.json:1:42: /telemetry/openmetrics/listen: 10.0.0.1:9464 is not a loopback "
		"address: the counters would be served to the network; add \"allow_remote\": "
		"true to allow it");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": "
			    "{\"listen\": \"0.0.0.0:9464\", \"allow_remote\": false}}}",
		"t.json:1:42: /telemetry/openmetrics/listen: 0.0.0.0:9464 is not a loopback "
		"address: the counters would be served to the network; add \"allow_remote\": "
		"true to allow it");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": {\"listen\": \"[::]:9464\"}}}",
		"t.json:1:42: /telemetry/openmetrics/listen: [::]:9464 is not a loopback "
		"address: the counters would be served to the network; add \"allow_remote\": "
		"true to allow it");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": {\"listen\": \"127.0.0.1\"}}}",
		"t.json:1:42: /telemetry/openmetrics/listen: '127.0.0.1' must be ADDRESS:PORT, "
		"e.g. 127.0.0.1:9464 or [::1]:9464");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": {\"listen\": \"127.0.0.1:0\"}}}",
		"t.json:1:42: /telemetry/openmetrics/listen: port '0' is not a number from 1 to "
		"65535");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": {\"listen\": \"127.0.0.1:65536\"}}}",
		"t.json:1:42: /telemetry/openmetrics/listen: port '65536' is not a number from 1 "
		"to 65535");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": {\"listen\": \"127.0.0.1:\"}}}",
		"t.json:1:42: /telemetry/openmetrics/listen: port '' is not a number from 1 to "
		"65535");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": {\"listen\": \"127.0.0.1:94x4\"}}}",
		"t.json:1:42: /telemetry/openmetrics/listen: port '94x4' is not a number from 1 "
		"to 65535");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": {\"listen\": \"localhost:9464\"}}}",
		"t.json:1:42: /telemetry/openmetrics/listen: 'localhost' is not an IPv4 address "
		"(host names are not resolved)");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": {\"listen\": \"::1:9464\"}}}",
		"t.json:1:42: /telemetry/openmetrics/listen: an IPv6 address goes in brackets: "
		"[::1]:9464");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": {\"listen\": \"[::1:9464\"}}}",
		"t.json:1:42: /telemetry/openmetrics/listen: '[::1:9464' must be ADDRESS:PORT, "
		"e.g. 127.0.0.1:9464 or [::1]:9464");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": {\"listen\": \"[1.2.3.4]:9464\"}}}",
		"t.json:1:42: /telemetry/openmetrics/listen: '1.2.3.4' is not an IPv6 address");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": {}}}",
		"t.json:1:31: /telemetry/openmetrics: missing key 'listen'");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": {\"listen\": 9464}}}",
		"t.json:1:42: /telemetry/openmetrics/listen: 'listen' must be a string, not an "
		"integer");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": "
			    "{\"listen\": \"127.0.0.1:9464\", \"allow_remote\": \"yes\"}}}",
		"t.json:1:76: /telemetry/openmetrics/allow_remote: 'allow_remote' must be a "
		"boolean, not a string");
	assert_listen_error("{\"telemetry\": {\"openmetrics\": {\"listn\": \"127.0.0.1:9464\"}}}",
		"t.json:1:32: /telemetry/openmetrics: unknown key 'listn' (did you mean "
		"'listen'?)");
	assert_listen_error("{\"telemetry\": {\"openmetric\": {}}}",
		"t.json:1:16: /telemetry: unknown key 'openmetric' (did you mean 'openmetrics'?)");
	assert_listen_error("{\"telemetry\": true}",
		"t.json:1:15: /telemetry: must be an object, not a boolean");
}

static struct tel_snapshot *snapshot_of(uint64_t gen, size_t rows)
{
	struct tel_snapshot *s = tel_snapshot_new();

	assert_non_null(s);
	s->taken_ms = gen;
	for (size_t i = 0; i < rows; i++)
		add(s, "drops", "r", "packets", gen);
	return s;
}

static void test_handoff(void **state)
{
	const struct tel_snapshot *s;
	struct tel_snapshot *a = snapshot_of(1, 1), *b = snapshot_of(2, 1), *c = snapshot_of(3, 1);
	unsigned int slot, slot2;

	(void)state;
	tel_snapshot_reopen();
	assert_null(tel_snapshot_acquire(&slot)); /* nothing published yet */
	assert_int_equal(tel_snapshot_publish(a), 0);
	s = tel_snapshot_acquire(&slot);
	assert_ptr_equal(s, a);
	/* the other slot is free: b goes there, a stays for its reader */
	assert_int_equal(tel_snapshot_publish(b), 0);
	assert_int_equal(a->rows[0].value, 1);
	assert_ptr_equal(tel_snapshot_acquire(&slot2), b);
	tel_snapshot_release(slot2);
	/* c would replace a, which is still read: refused, retried later */
	assert_int_equal(tel_snapshot_publish(c), -EBUSY);
	tel_snapshot_release(slot);
	assert_int_equal(tel_snapshot_publish(c), 0);
	assert_ptr_equal(tel_snapshot_acquire(&slot), c);
	/* closing waits for the reader */
	assert_int_equal(tel_snapshot_close(50), -EBUSY);
	tel_snapshot_release(slot);
	assert_int_equal(tel_snapshot_close(50), 0);
	assert_null(tel_snapshot_acquire(&slot));
	tel_snapshot_reopen();
	assert_null(tel_snapshot_acquire(&slot));
}

/* Readers on other threads while the snapshot is replaced as fast as possible. */
#define STRESS_READERS 2
#define STRESS_MS      1000
#define STRESS_ROWS    64

static volatile int stress_stop;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct reader_stats {
	uint64_t reads, torn, last_gen, went_back;
};

static void *reader(void *arg)
{
	struct reader_stats *st = arg;

	while (!__atomic_load_n(&stress_stop, __ATOMIC_RELAXED)) {
		unsigned int slot;
		const struct tel_snapshot *s = tel_snapshot_acquire(&slot);

		if (s == NULL)
			continue;
		/* every row of a snapshot carries its generation; freed ones are poisoned */
		for (size_t i = 0; i < s->n; i++)
			if (s->rows[i].value != s->taken_ms || s->n != STRESS_ROWS)
				st->torn++;
		if (s->taken_ms < st->last_gen)
			st->went_back++;
		st->last_gen = s->taken_ms;
		st->reads++;
		tel_snapshot_release(slot);
	}
	return NULL;
}

static void test_handoff_threads(void **state)
{
	struct reader_stats stats[STRESS_READERS] = {0};
	pthread_t th[STRESS_READERS];
	uint64_t published = 0, busy = 0;

	(void)state;
	tel_snapshot_reopen();
	stress_stop = 0;
	for (int i = 0; i < STRESS_READERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, &stats[i]), 0);
	/* for a second, or more if the readers on a busy machine kept the writer out */
	for (uint64_t gen = 1, end = now_ms() + STRESS_MS; published < 100 || now_ms() < end;
		gen++) {
		struct tel_snapshot *s = snapshot_of(gen, STRESS_ROWS);

		/* refused while a reader still holds the other slot: the daemon retries later */
		while (tel_snapshot_publish(s) < 0)
			busy++;
		published++;
	}
	__atomic_store_n(&stress_stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < STRESS_READERS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		print_message("reader %d: %" PRIu64 " reads\n", i, stats[i].reads);
		assert_int_equal(stats[i].torn, 0);
		assert_int_equal(stats[i].went_back, 0);
	}
	print_message("%" PRIu64 " publications, %" PRIu64
		      " refused while a reader held the other slot\n",
		published, busy);
	assert_int_equal(tel_snapshot_close(1000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_first_name),
		cmocka_unit_test(test_http_classify),
		cmocka_unit_test(test_listen_config),
		cmocka_unit_test(test_handoff),
		cmocka_unit_test(test_handoff_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
