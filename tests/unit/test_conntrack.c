/* SPDX-License-Identifier: BSD-3-Clause */
/* The trackers (TCP, UDP, ICMP), conntrack -L's lines, filters, sysctls, config section. */
#include "base/fp_error.h"
#include "config/config.h"
#include "ct_test.h"
#include "infra/sysctl.h"

#include <errno.h>
#include <stdio.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static struct ct_table *T;
static struct ct_worker W;
static uint64_t now = 1000000500; /* ms: not on a second, as a real clock */

static int setup(void **state)
{
	struct ct_table_params p = {.capacity = 1024, .rcu = test_qsbr(1)};

	(void)state;
	return ct_table_create(&p, &T);
}

static int teardown(void **state)
{
	(void)state;
	ct_flush(T, &W);
	ct_table_destroy(T);
	return test_qsbr_free_all(state);
}

/* A packet through prerouting and postrouting: its ctinfo. */
static uint8_t run(struct ct_pkt *p)
{
	assert_non_null(p);
	ct_in_bulk(T, &W, &p, 1, now);
	if (p->ct != NULL)
		assert_int_equal(ct_confirm(T, &W, p, now), 0);
	ct_walk_end(T, &W);
	return p->info;
}

static const char *line(const struct ct_entry *e)
{
	static char buf[512];

	ct_format(T, e, now, buf, sizeof(buf));
	return buf;
}

#define A			  "10.0.1.2"
#define B			  "10.0.2.2"
#define C(fl, seq, ack, win, len) tcp_pkt(&t, A, 40000, B, 5001, fl, seq, ack, win, len, 0)
#define S(fl, seq, ack, win, len) tcp_pkt(&t, B, 5001, A, 40000, fl, seq, ack, win, len, 0)

/* The TCP connection of the example, as Linux tracks it, SYN to TIME_WAIT. */
static void test_tcp_lifecycle(void **state)
{
	struct ct_entry *e;
	struct tpkt t;

	(void)state;
	assert_int_equal(run(C(TH_SYN, 1000, 0, 64240, 0)), CT_NEW);
	e = t.p.ct;
	assert_int_equal(e->tcp.state, CT_TCP_SYN_SENT);
	assert_string_equal(line(e),
		"tcp      6 119 SYN_SENT src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=5001 "
		"[UNREPLIED] src=10.0.2.2 dst=10.0.1.2 sport=5001 dport=40000 mark=0 use=1");
	assert_int_equal(run(S(TH_SYN | TH_ACK, 5000, 1001, 65160, 0)), CT_ESTABLISHED_REPLY);
	assert_ptr_equal(t.p.ct, e);
	assert_int_equal(t.p.dir, CT_DIR_REPLY);
	assert_string_equal(line(e),
		"tcp      6 59 SYN_RECV src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=5001 "
		"src=10.0.2.2 dst=10.0.1.2 sport=5001 dport=40000 mark=0 use=1");
	assert_int_equal(run(C(TH_ACK, 1001, 5001, 502, 0)), CT_ESTABLISHED);
	assert_string_equal(line(e),
		"tcp      6 431999 ESTABLISHED src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=5001 "
		"src=10.0.2.2 dst=10.0.1.2 sport=5001 dport=40000 [ASSURED] mark=0 use=1");
	/* data not yet acknowledged: the unacknowledged timeout */
	assert_int_equal(run(C(TH_ACK | TH_PSH, 1001, 5001, 502, 100)), CT_ESTABLISHED);
	assert_int_equal(ct_entry_timeout(T, e, now), 299);
	assert_int_equal(run(S(TH_ACK, 5001, 1101, 509, 0)), CT_ESTABLISHED_REPLY);
	assert_int_equal(ct_entry_timeout(T, e, now), 431999);
	/* the client closes */
	assert_int_equal(run(C(TH_FIN | TH_ACK, 1101, 5001, 502, 0)), CT_ESTABLISHED);
	assert_int_equal(e->tcp.state, CT_TCP_FIN_WAIT);
	assert_int_equal(ct_entry_timeout(T, e, now), 119);
	assert_int_equal(run(S(TH_FIN | TH_ACK, 5001, 1102, 509, 0)), CT_ESTABLISHED_REPLY);
	assert_int_equal(e->tcp.state, CT_TCP_LAST_ACK);
	assert_int_equal(ct_entry_timeout(T, e, now), 29);
	assert_int_equal(run(C(TH_ACK, 1102, 5002, 502, 0)), CT_ESTABLISHED);
	assert_string_equal(line(e),
		"tcp      6 119 TIME_WAIT src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=5001 "
		"src=10.0.2.2 dst=10.0.1.2 sport=5001 dport=40000 [ASSURED] mark=0 use=1");
	/* a new SYN on the same ports reopens: the old entry goes, a new one begins */
	assert_int_equal(run(C(TH_SYN, 90000, 0, 64240, 0)), CT_NEW);
	assert_ptr_not_equal(t.p.ct, e);
	assert_int_equal(t.p.ct->tcp.state, CT_TCP_SYN_SENT);
	assert_true(__atomic_load_n(&e->status, __ATOMIC_RELAXED) & CT_S_DYING);
	ct_flush(T, &W);
}

/*
 * A connection through a Linux router namespace (socat, "hello" echoed, closed), each
 * segment as tcpdump showed it, and the state `conntrack -E` reported after it (Linux 6.18).
 */
static void test_tcp_linux_trace(void **state)
{
	static const struct {
		bool reply;
		uint8_t flags;
		uint32_t seq, ack;
		uint16_t win, len;
		uint8_t state;
		int32_t timeout;
	} trace[] = {
		{false, TH_SYN, 3882807713u, 0, 64240, 0, CT_TCP_SYN_SENT, 120},
		{true, TH_SYN | TH_ACK, 183474985, 3882807714u, 65160, 0, CT_TCP_SYN_RECV, 60},
		{false, TH_ACK, 3882807714u, 183474986, 63, 0, CT_TCP_ESTABLISHED, 432000},
		{false, TH_ACK | TH_PSH, 3882807714u, 183474986, 63, 6, CT_TCP_ESTABLISHED, 300},
		{true, TH_ACK, 183474986, 3882807720u, 64, 0, CT_TCP_ESTABLISHED, 432000},
		{true, TH_ACK | TH_PSH, 183474986, 3882807720u, 64, 6, CT_TCP_ESTABLISHED, 300},
		{false, TH_ACK, 3882807720u, 183474992, 63, 0, CT_TCP_ESTABLISHED, 432000},
		{false, TH_FIN | TH_ACK, 3882807720u, 183474992, 63, 0, CT_TCP_FIN_WAIT, 120},
		{true, TH_FIN | TH_ACK, 183474992, 3882807721u, 64, 0, CT_TCP_LAST_ACK, 30},
		{false, TH_ACK, 3882807721u, 183474993, 63, 0, CT_TCP_TIME_WAIT, 120},
	};
	struct tpkt t;

	(void)state;
	for (size_t i = 0; i < RTE_DIM(trace); i++) {
		struct ct_pkt *p = trace[i].reply ? S(trace[i].flags, trace[i].seq, trace[i].ack,
							    trace[i].win, trace[i].len)
						  : C(trace[i].flags, trace[i].seq, trace[i].ack,
							    trace[i].win, trace[i].len);

		assert_int_not_equal(run(p), CT_INVALID);
		assert_int_equal(p->ct->tcp.state, trace[i].state);
		assert_int_equal(ct_entry_timeout(T, p->ct, now), trace[i].timeout - 1);
		assert_int_equal(!!(p->ct->status & CT_S_ASSURED), i >= 2);
	}
	assert_string_equal(line(t.p.ct),
		"tcp      6 119 TIME_WAIT src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=5001 "
		"src=10.0.2.2 dst=10.0.1.2 sport=5001 dport=40000 [ASSURED] mark=0 use=1");
	ct_flush(T, &W);
}

static struct ct_entry *established(struct tpkt *tp)
{
	struct tpkt t;

	run(C(TH_SYN, 1000, 0, 64240, 0));
	run(S(TH_SYN | TH_ACK, 5000, 1001, 65160, 0));
	run(C(TH_ACK, 1001, 5001, 502, 0));
	*tp = t;
	assert_int_equal(t.p.ct->tcp.state, CT_TCP_ESTABLISHED);
	return t.p.ct;
}

static void test_tcp_rst(void **state)
{
	struct ct_entry *e;
	struct tpkt t;

	(void)state;
	e = established(&t);
	/* an RST whose sequence number was never acknowledged is invalid */
	assert_int_equal(run(S(TH_RST, 4000, 0, 0, 0)), CT_INVALID);
	assert_int_equal(e->tcp.state, CT_TCP_ESTABLISHED);
	assert_int_equal(run(S(TH_RST, 5001, 0, 0, 0)), CT_ESTABLISHED_REPLY);
	assert_int_equal(e->tcp.state, CT_TCP_CLOSE);
	assert_int_equal(ct_entry_timeout(T, e, now), 9);
	ct_flush(T, &W);

	/* an RST answering a SYN: no connection, the entry is gone at once */
	assert_int_equal(run(C(TH_SYN, 1000, 0, 64240, 0)), CT_NEW);
	e = t.p.ct;
	assert_int_equal(run(S(TH_RST | TH_ACK, 0, 1001, 0, 0)), CT_ESTABLISHED_REPLY);
	assert_null(ct_lookup(T, &e->h[0].t, now, NULL));
	ct_flush(T, &W);
}

static void test_tcp_window(void **state)
{
	struct ct_entry *e;
	struct tpkt t;

	(void)state;
	e = established(&t);
	W.invalid = 0;
	/* far beyond what the server's window lets the client send */
	assert_int_equal(run(C(TH_ACK, 1001 + 5000000, 5001, 502, 100)), CT_INVALID);
	/* an ACK of data the server never sent */
	assert_int_equal(run(C(TH_ACK, 1001, 5001 + 5000000, 502, 0)), CT_INVALID);
	assert_int_equal(W.invalid, 2);
	/* tcp_be_liberal: out-of-window segments are no longer invalid */
	ct_tcp_be_liberal = 1;
	assert_int_equal(run(C(TH_ACK, 1001 + 5000000, 5001, 502, 100)), CT_ESTABLISHED);
	ct_tcp_be_liberal = 0;
	assert_int_equal(e->tcp.state, CT_TCP_ESTABLISHED);
	W.invalid = 0;
	ct_flush(T, &W);
}

static void test_tcp_retrans(void **state)
{
	struct ct_entry *e;
	struct tpkt t;

	(void)state;
	e = established(&t);
	ct_tcp_timeouts[CT_TCP_T_RETRANS] = 250; /* told apart from the unacknowledged 300 */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(run(C(TH_ACK | TH_PSH, 1001, 5001, 502, 100)), CT_ESTABLISHED);
		assert_int_equal(ct_entry_timeout(T, e, now), 299);
	}
	/* the third retransmission of the same segment */
	assert_int_equal(run(C(TH_ACK | TH_PSH, 1001, 5001, 502, 100)), CT_ESTABLISHED);
	assert_int_equal(e->tcp.retrans, 3);
	assert_int_equal(ct_entry_timeout(T, e, now), 249);
	ct_tcp_timeouts[CT_TCP_T_RETRANS] = 300;
	ct_flush(T, &W);
}

/* SACK blocks count as acknowledgements (tcp_sack), bounded by the data sent. */
static void test_tcp_sack(void **state)
{
	uint8_t sack[12] = {1, 1, 5, 10};
	struct ct_entry *e;
	struct tpkt t;

	(void)state;
	e = established(&t);
	run(C(TH_ACK, 1001, 5001, 502, 100));
	run(C(TH_ACK, 1101, 5001, 502, 100));
	/* first segment lost: ACK 1001 and SACK 1101-1201, what was sent */
	put32(sack + 4, 1101);
	put32(sack + 8, 1201);
	assert_int_equal(
		run(tcp_pkt_opt(&t, B, 5001, A, 40000, TH_ACK, 5001, 1001, 509, 0, sack, 12)),
		CT_ESTABLISHED_REPLY);
	/* a SACK of data never sent */
	put32(sack + 8, 1301);
	assert_int_equal(
		run(tcp_pkt_opt(&t, B, 5001, A, 40000, TH_ACK, 5001, 1001, 509, 0, sack, 12)),
		CT_INVALID);
	assert_int_equal(e->tcp.state, CT_TCP_ESTABLISHED);
	W.invalid = 0;
	ct_flush(T, &W);
}

/* A SYN Linux ignores in ESTABLISHED, answered by the server: conntrack resyncs. */
static void test_tcp_resync_and_challenge_ack(void **state)
{
	struct ct_entry *e;
	struct tpkt t;

	(void)state;
	e = established(&t);
	assert_int_equal(run(C(TH_SYN, 70000, 0, 64240, 0)), CT_ESTABLISHED);
	assert_int_equal(e->tcp.state, CT_TCP_ESTABLISHED);
	assert_int_equal(run(S(TH_SYN | TH_ACK, 90000, 70001, 65160, 0)), CT_ESTABLISHED_REPLY);
	assert_int_equal(e->tcp.state, CT_TCP_SYN_RECV);
	assert_int_equal(run(C(TH_ACK, 70001, 90001, 502, 0)), CT_ESTABLISHED);
	assert_int_equal(e->tcp.state, CT_TCP_ESTABLISHED);
	/* both FINs, then a SYN answered by a challenge ACK: not the last ACK */
	run(C(TH_FIN | TH_ACK, 70001, 90001, 502, 0));
	run(S(TH_FIN | TH_ACK, 90001, 70002, 509, 0));
	assert_int_equal(e->tcp.state, CT_TCP_LAST_ACK);
	run(C(TH_SYN, 123456, 0, 64240, 0));
	assert_int_equal(run(S(TH_ACK, 90002, 70002, 509, 0)), CT_ESTABLISHED_REPLY);
	assert_int_equal(e->tcp.state, CT_TCP_LAST_ACK);
	ct_flush(T, &W);
}

static void test_tcp_simultaneous_open(void **state)
{
	struct ct_entry *e;
	struct tpkt t;

	(void)state;
	assert_int_equal(run(C(TH_SYN, 100, 0, 64240, 0)), CT_NEW);
	e = t.p.ct;
	assert_int_equal(run(S(TH_SYN, 900, 0, 64240, 0)), CT_ESTABLISHED_REPLY);
	assert_int_equal(e->tcp.state, CT_TCP_SYN_SENT2);
	assert_int_equal(run(C(TH_SYN | TH_ACK, 100, 901, 64240, 0)), CT_ESTABLISHED);
	assert_int_equal(e->tcp.state, CT_TCP_SYN_RECV);
	assert_int_equal(run(S(TH_ACK, 901, 101, 502, 0)), CT_ESTABLISHED_REPLY);
	assert_int_equal(e->tcp.state, CT_TCP_ESTABLISHED);
	assert_true(e->status & CT_S_ASSURED);
	ct_flush(T, &W);
}

static void test_tcp_new_invalid_and_loose(void **state)
{
	struct tpkt t;

	(void)state;
	/* a SYN/ACK, a FIN or bad flags never start a connection */
	assert_int_equal(run(C(TH_SYN | TH_ACK, 1, 1, 100, 0)), CT_INVALID);
	assert_int_equal(run(C(TH_FIN, 1, 0, 100, 0)), CT_INVALID);
	assert_int_equal(run(C(TH_SYN | TH_FIN, 1, 0, 100, 0)), CT_INVALID);
	/* tcp_loose 1: a mid-connection ACK is picked up, with the unacknowledged timeout */
	assert_int_equal(run(C(TH_ACK, 7777, 8888, 500, 10)), CT_NEW);
	assert_int_equal(t.p.ct->tcp.state, CT_TCP_ESTABLISHED);
	assert_int_equal(ct_entry_timeout(T, t.p.ct, now), 299);
	ct_flush(T, &W);
	ct_tcp_loose = 0;
	assert_int_equal(run(C(TH_ACK, 7777, 8888, 500, 10)), CT_INVALID);
	ct_tcp_loose = 1;
	W.invalid = 0;
}

static void test_udp(void **state)
{
	struct ct_entry *e;
	uint64_t t0 = now;
	struct tpkt t;

	(void)state;
	assert_int_equal(run(udp_pkt(&t, A, 40001, B, 5353, 0)), CT_NEW);
	e = t.p.ct;
	assert_string_equal(line(e),
		"udp      17 29 src=10.0.1.2 dst=10.0.2.2 sport=40001 dport=5353 [UNREPLIED] "
		"src=10.0.2.2 dst=10.0.1.2 sport=5353 dport=40001 mark=0 use=1");
	now += 1000;
	assert_int_equal(run(udp_pkt(&t, B, 5353, A, 40001, 0)), CT_ESTABLISHED_REPLY);
	assert_int_equal(ct_entry_timeout(T, e, now), 29);
	assert_false(e->status & CT_S_ASSURED);
	/* still active 2 s after it began: a stream */
	now += 2000;
	assert_int_equal(run(udp_pkt(&t, A, 40001, B, 5353, 0)), CT_ESTABLISHED);
	assert_string_equal(line(e),
		"udp      17 119 src=10.0.1.2 dst=10.0.2.2 sport=40001 dport=5353 "
		"src=10.0.2.2 dst=10.0.1.2 sport=5353 dport=40001 [ASSURED] mark=0 use=1");
	/* 120 s of silence: gone, the next packet is new */
	now += 120 * 1000;
	assert_null(ct_lookup(T, &e->h[0].t, now, NULL));
	assert_int_equal(run(udp_pkt(&t, A, 40001, B, 5353, 0)), CT_NEW);
	now = t0;
	ct_flush(T, &W);
}

static void test_icmp(void **state)
{
	struct ct_entry *e;
	struct tpkt t;

	(void)state;
	assert_int_equal(run(icmp_pkt(&t, A, B, 8, 0, 18539, NULL, 0)), CT_NEW);
	e = t.p.ct;
	assert_int_equal(run(icmp_pkt(&t, B, A, 0, 0, 18539, NULL, 0)), CT_ESTABLISHED_REPLY);
	assert_string_equal(line(e),
		"icmp     1 29 src=10.0.1.2 dst=10.0.2.2 type=8 code=0 id=18539 src=10.0.2.2 "
		"dst=10.0.1.2 type=0 code=0 id=18539 mark=0 use=1");
	/* a reply nobody asked for, a redirect: invalid */
	assert_int_equal(run(icmp_pkt(&t, B, A, 0, 0, 1, NULL, 0)), CT_INVALID);
	assert_int_equal(run(icmp_pkt(&t, B, A, 9, 0, 0, NULL, 0)), CT_INVALID);
	/* ICMPv6, and a zone */
	assert_int_equal(
		run(icmp_pkt(&t, "fd00:1::2", "fd00:2::2", 128, 0, 18541, NULL, 0)), CT_NEW);
	assert_string_equal(line(t.p.ct),
		"icmpv6   58 29 src=fd00:1::2 dst=fd00:2::2 type=128 code=0 id=18541 [UNREPLIED] "
		"src=fd00:2::2 dst=fd00:1::2 type=129 code=0 id=18541 mark=0 use=1");
	/* neighbour discovery is never tracked */
	assert_int_equal(
		run(icmp_pkt(&t, "fd00:1::2", "fd00:2::2", 135, 0, 0, NULL, 0)), CT_UNTRACKED);
	W.invalid = 0;
	ct_flush(T, &W);
}

/* ICMP errors quoting a tracked packet are related to its connection. */
static void test_icmp_related(void **state)
{
	struct tpkt t, q;
	struct ct_entry *e;

	(void)state;
	assert_int_equal(run(udp_pkt(&q, A, 40004, B, 9, 0)), CT_NEW);
	e = q.p.ct;
	/* port unreachable from the server, quoting the datagram */
	assert_int_equal(run(icmp_pkt(&t, B, A, 3, 3, 0, q.buf, q.len)), CT_RELATED_REPLY);
	assert_ptr_equal(t.p.ct, e);
	/* time exceeded from a router on the way */
	assert_int_equal(
		run(icmp_pkt(&t, "10.0.2.1", A, 11, 0, 0, q.buf, q.len)), CT_RELATED_REPLY);
	/* an error sent to another host than the quoted packet's source */
	assert_int_equal(run(icmp_pkt(&t, B, "10.0.1.9", 3, 3, 0, q.buf, q.len)), CT_INVALID);
	/* about a flow nobody tracks */
	udp_pkt(&q, A, 40005, B, 9, 0);
	assert_int_equal(run(icmp_pkt(&t, B, A, 3, 3, 0, q.buf, q.len)), CT_INVALID);
	/* TCP quoted in an IPv6 error, cut after 8 bytes of its header */
	tcp_pkt(&q, "fd00:1::2", 40002, "fd00:2::2", 5001, TH_SYN, 1, 0, 100, 0, 0);
	assert_int_equal(run(&q.p), CT_NEW);
	assert_int_equal(
		run(icmp_pkt(&t, "fd00:2::2", "fd00:1::2", 1, 4, 0, q.buf, 48)), CT_RELATED_REPLY);
	assert_ptr_equal(t.p.ct, q.p.ct);
	/* no state change by related packets: still unreplied */
	assert_false(e->status & CT_S_SEEN_REPLY);
	W.invalid = 0;
	ct_flush(T, &W);
}

/* IPv6 extension headers are skipped to the L4 header; fragments are not trackable. */
static void test_ipv6_exthdr(void **state)
{
	struct tpkt t;
	uint32_t h = ip_hdr(t.buf, "fd00:1::2", "fd00:2::2", 0, 8 + 8);

	(void)state;
	memset(t.buf + h, 0, 16);
	t.buf[h] = IPPROTO_UDP; /* hop-by-hop, 8 bytes, then UDP */
	t.buf[h + 2] = 1;	/* PadN */
	t.buf[h + 3] = 4;
	put16(t.buf + h + 8, 1234);
	put16(t.buf + h + 10, 53);
	put16(t.buf + h + 12, 8);
	assert_int_equal(ct_parse(&t.p, AF_INET6, t.buf, h + 16, 7), 0);
	assert_int_equal(t.p.t.proto, IPPROTO_UDP);
	assert_int_equal(t.p.t.sport, 1234);
	assert_int_equal(t.p.t.dport, 53);
	assert_int_equal(t.p.t.zone, 7);
	assert_ptr_equal(t.p.l4, t.buf + h + 8);
	t.buf[6] = 44; /* a fragment header instead */
	assert_int_equal(ct_parse(&t.p, AF_INET6, t.buf, h + 16, 0), -EINVAL);
	/* a length beyond the buffer */
	t.buf[6] = 0;
	assert_int_equal(ct_parse(&t.p, AF_INET6, t.buf, h + 12, 0), -EINVAL);
}

static void test_format_zone_generic(void **state)
{
	struct tpkt t;
	uint32_t h;

	(void)state;
	assert_int_equal(run(icmp_pkt(&t, "10.0.1.3", B, 8, 0, 18540, NULL, 0)), CT_NEW);
	/* the zone is the tuple's: made again with zone 5 */
	ct_parse(&t.p, AF_INET, t.buf, t.len, 5);
	assert_int_equal(run(&t.p), CT_NEW);
	assert_string_equal(line(t.p.ct),
		"icmp     1 29 src=10.0.1.3 dst=10.0.2.2 type=8 code=0 id=18540 [UNREPLIED] "
		"src=10.0.2.2 dst=10.0.1.3 type=0 code=0 id=18540 mark=0 zone=5 use=1");
	h = ip_hdr(t.buf, A, B, 253, 8);
	memset(t.buf + h, 'x', 8);
	assert_int_equal(ct_parse(&t.p, AF_INET, t.buf, h + 8, 0), 0);
	assert_int_equal(run(&t.p), CT_NEW);
	assert_string_equal(line(t.p.ct),
		"unknown  253 599 src=10.0.1.2 dst=10.0.2.2 [UNREPLIED] src=10.0.2.2 dst=10.0.1.2 "
		"mark=0 use=1");
	/* truncated, fragments: not trackable */
	assert_int_equal(ct_parse(&t.p, AF_INET, t.buf, 19, 0), -EINVAL);
	t.buf[6] = 0x20; /* more fragments */
	assert_int_equal(ct_parse(&t.p, AF_INET, t.buf, h + 8, 0), -EINVAL);
	ct_flush(T, &W);
}

static int count_match(const struct ct_entry *e, void *arg)
{
	const struct ct_filter *f = ((void **)arg)[0];
	int *n = ((void **)arg)[1];

	*n += ct_filter_match(f, e);
	return 0;
}

static int matches(const char *const *argv, int argc)
{
	struct ct_filter f;
	int n = 0;
	void *arg[2] = {&f, &n};

	assert_int_equal(ct_filter_parse(&f, argc, argv), 0);
	ct_walk(T, now, count_match, arg);
	return n;
}

static void test_filters_json(void **state)
{
	const char *tcp[] = {"-p", "tcp"}, *est[] = {"-p", "tcp", "--state", "ESTABLISHED"},
		   *syn[] = {"-p", "tcp", "--state", "SYN_SENT"}, *src[] = {"-s", "10.0.1.2"},
		   *dst6[] = {"-d", "fd00:2::2"}, *udp[] = {"-p", "udp", "--dport", "53"},
		   *bad[] = {"--state", "ESTABLISHED"}, *bad2[] = {"-p", "foo"};
	struct ct_filter f;
	struct tpkt t;
	json_t *j;
	char *s;

	(void)state;
	established(&t);
	run(udp_pkt(&t, "10.0.1.5", 1234, B, 53, 0));
	run(udp_pkt(&t, "fd00:1::2", 1234, "fd00:2::2", 53, 0));
	assert_int_equal(matches(tcp, 2), 1);
	assert_int_equal(matches(est, 4), 1);
	assert_int_equal(matches(syn, 4), 0);
	assert_int_equal(matches(src, 2), 1);
	assert_int_equal(matches(dst6, 2), 1);
	assert_int_equal(matches(udp, 4), 2);
	assert_int_equal(ct_filter_parse(&f, 2, bad), -EINVAL);
	assert_string_equal(fp_errmsg(), "--state needs -p tcp");
	assert_int_equal(ct_filter_parse(&f, 2, bad2), -EINVAL);
	j = ct_entry_json(T, t.p.ct, now);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(s,
		"{\"family\":\"ipv6\",\"mark\":0,\"original\":{\"dport\":53,\"dst\":\"fd00:2::2\","
		"\"sport\":1234,\"src\":\"fd00:1::2\"},\"proto\":\"udp\",\"protonum\":17,"
		"\"reply\":{\"dport\":1234,\"dst\":\"fd00:1::2\",\"sport\":53,\"src\":\"fd00:2::"
		"2\"},"
		"\"status\":[\"CONFIRMED\"],\"timeout\":29,\"use\":1,\"zone\":0}");
	free(s);
	json_decref(j);
	ct_flush(T, &W);
}

static void test_stats(void **state)
{
	struct ct_worker w = {.found = 3, .invalid = 2, .insert = 1, .drop = 4, .clash_resolve = 5};
	char buf[256];

	(void)state;
	ct_stats_format(0, &w, buf, sizeof(buf));
	/* conntrack -S of conntrack-tools 1.4.7, byte for byte */
	assert_string_equal(buf, "cpu=0   \tfound=3 invalid=2 insert=1 insert_failed=0 drop=4 "
				 "early_drop=0 error=0 search_restart=0 clash_resolve=5 "
				 "chaintoolong=0 ");
}

static void test_sysctl_names(void **state)
{
	struct sysctl_value v = {.i = 3600};
	struct sysctl_ref ref;

	(void)state;
	assert_int_equal(
		sysctl_resolve("net.netfilter.nf_conntrack_tcp_timeout_established", false, &ref),
		0);
	assert_int_equal(sysctl_set(&ref, &v), 0);
	assert_int_equal(ct_tcp_timeouts[CT_TCP_ESTABLISHED], 3600);
	sysctl_default(&ref, &v);
	assert_int_equal(v.i, 432000);
	assert_int_equal(sysctl_set(&ref, &v), 0);
	assert_int_equal(sysctl_resolve("net.netfilter.nf_conntrack_max", false, &ref), 0);
	assert_int_equal(sysctl_get(&ref, &v), 0);
	assert_int_equal(v.i, 262144);
	assert_int_equal(
		sysctl_resolve("net.netfilter.nf_conntrack_udp_timeout_stream", false, &ref), 0);
	assert_int_equal(
		sysctl_resolve("net.netfilter.nf_conntrack_tcp_timeout_max_retrans", false, &ref),
		0);
}

static int load(const char *text)
{
	struct cfg_parsed *parsed;
	struct cfg_doc *doc;
	int ret;

	assert_int_equal(cfg_doc_load_string("t.json", text, &doc), 0);
	ret = cfg_parse_doc(doc, &parsed);
	if (ret == 0) {
		ret = cfg_apply(parsed);
		cfg_parsed_free(parsed);
	}
	cfg_doc_free(doc);
	return ret;
}

static void test_config_section(void **state)
{
	(void)state;
	/* "enabled": true makes the daemon's table and hooks: the integration tests' */
	assert_int_equal(load("{\"conntrack\": {\"enabled\": false, \"max\": 5000, "
			      "\"tcp_timeout_established\": 3600, \"tcp_be_liberal\": 1}}"),
		0);
	assert_int_equal(ct_max, 5000);
	assert_int_equal(ct_tcp_timeouts[CT_TCP_ESTABLISHED], 3600);
	assert_int_equal(ct_tcp_be_liberal, 1);
	assert_int_equal(load("{\"conntrack\": {\"tcp_timeout_establised\": 5}}"), -EINVAL);
	assert_non_null(strstr(fp_errmsg(), "did you mean 'tcp_timeout_established'"));
	assert_int_equal(load("{\"conntrack\": {\"tcp_be_liberal\": 2}}"), -ERANGE);
	assert_int_equal(load("{\"conntrack\": {\"enabled\": 1}}"), -EINVAL);
	assert_int_equal(load("{\"conntrack\": {\"max\": 262144, \"tcp_be_liberal\": 0, "
			      "\"tcp_timeout_established\": 432000}}"),
		0);
	assert_int_equal(ct_max, 262144);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_lifecycle),
		cmocka_unit_test(test_tcp_linux_trace),
		cmocka_unit_test(test_tcp_rst),
		cmocka_unit_test(test_tcp_window),
		cmocka_unit_test(test_tcp_retrans),
		cmocka_unit_test(test_tcp_sack),
		cmocka_unit_test(test_tcp_resync_and_challenge_ack),
		cmocka_unit_test(test_tcp_simultaneous_open),
		cmocka_unit_test(test_tcp_new_invalid_and_loose),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_icmp_related),
		cmocka_unit_test(test_ipv6_exthdr),
		cmocka_unit_test(test_format_zone_generic),
		cmocka_unit_test(test_filters_json),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_sysctl_names),
		cmocka_unit_test(test_config_section),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
