/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/fp_error.h"
#include "neigh/neigh_sm.h"

#include <errno.h>
#include <string.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Arbitrary positive origin of the synthetic monotonic clock. */
#define T0 1000000

enum {
	TX = NEIGH_ACT_TX,
	QUEUE = NEIGH_ACT_QUEUE,
	UCAST = NEIGH_ACT_SEND_UCAST_PROBE,
	MCAST = NEIGH_ACT_SEND_MCAST_PROBE,
	APP = NEIGH_ACT_SEND_APP_PROBE,
	FLUSH_SEND = NEIGH_ACT_FLUSH_QUEUE_SEND,
	FLUSH_UNREACH = NEIGH_ACT_FLUSH_QUEUE_UNREACHABLE,
	LLADDR = NEIGH_ACT_LLADDR_CHANGED,
};

static const struct fp_mac mac_a = {{0x02, 0, 0, 0, 0, 0x0a}};
static const struct fp_mac mac_b = {{0x02, 0, 0, 0, 0, 0x0b}};

/* rnd 2^31 draws the middle of [base/2, 3*base/2): reachable_time = 30000. */
static struct neigh_params params(void)
{
	struct neigh_params p;

	neigh_params_init(&p, 1u << 31);
	return p;
}

static void assert_mac(const struct neigh_sm *sm, const struct fp_mac *mac)
{
	assert_memory_equal(&sm->lladdr, mac, sizeof(*mac));
}

/* First packet at T0, ARP reply at T0 + 300: REACHABLE with mac_a. */
static int64_t resolve(struct neigh_sm *sm, const struct neigh_params *p)
{
	int64_t now = T0 + 300;

	neigh_sm_init(sm, p, T0);
	assert_int_equal(neigh_sm_output(sm, T0), QUEUE | MCAST);
	assert_int_equal(neigh_sm_update(sm, now, &mac_a, NEIGH_REACHABLE,
				 neigh_sm_arp_flags(sm, now, false)),
		LLADDR | FLUSH_SEND);
	assert_int_equal(sm->state, NEIGH_REACHABLE);
	return now;
}

/* ARP request for our address from an unknown host at T0 (neigh_event_ns). */
static void learn_stale(struct neigh_sm *sm, const struct neigh_params *p)
{
	neigh_sm_init(sm, p, T0);
	assert_int_equal(neigh_sm_update(sm, T0, &mac_a, NEIGH_STALE, NEIGH_UPDATE_F_OVERRIDE),
		LLADDR | FLUSH_SEND);
	assert_int_equal(sm->state, NEIGH_STALE);
	assert_int_equal(sm->timer_deadline, 0);
}

static void test_first_packet_broadcasts_then_fails(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;

	(void)state;
	neigh_sm_init(&sm, &p, T0);
	assert_int_equal(sm.state, NEIGH_NONE);
	assert_int_equal(neigh_sm_output(&sm, T0), QUEUE | MCAST);
	assert_int_equal(sm.state, NEIGH_INCOMPLETE);
	assert_int_equal(sm.timer_deadline, T0 + 1000);
	assert_int_equal(neigh_sm_output(&sm, T0 + 500), QUEUE);
	assert_int_equal(neigh_sm_timer(&sm, T0 + 999), 0);

	assert_int_equal(neigh_sm_timer(&sm, T0 + 1000), MCAST);
	assert_int_equal(sm.timer_deadline, T0 + 2000);
	assert_int_equal(neigh_sm_timer(&sm, T0 + 2000), MCAST);
	assert_int_equal(sm.timer_deadline, T0 + 3000);
	assert_int_equal(sm.state, NEIGH_INCOMPLETE);
	assert_int_equal(neigh_sm_timer(&sm, T0 + 3000), FLUSH_UNREACH);
	assert_int_equal(sm.state, NEIGH_FAILED);
	assert_int_equal(sm.timer_deadline, 0);
}

static void test_reply_while_incomplete(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;
	int64_t t = resolve(&sm, &p);

	(void)state;
	assert_mac(&sm, &mac_a);
	assert_int_equal(sm.confirmed, t);
	assert_int_equal(sm.timer_deadline, t + 30000);
	assert_int_equal(neigh_sm_output(&sm, t + 1), TX);
}

static void test_request_while_incomplete(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;

	(void)state;
	neigh_sm_init(&sm, &p, T0);
	neigh_sm_output(&sm, T0);
	assert_int_equal(
		neigh_sm_update(&sm, T0 + 200, &mac_a, NEIGH_STALE, NEIGH_UPDATE_F_OVERRIDE),
		LLADDR | FLUSH_SEND);
	assert_int_equal(sm.state, NEIGH_STALE);
	/* The flushed packet goes through output again, as in Linux. */
	assert_int_equal(neigh_sm_output(&sm, T0 + 200), TX);
	assert_int_equal(sm.state, NEIGH_DELAY);
}

static void test_reachable_expires_to_stale(void **state)
{
	struct neigh_params p;
	struct neigh_sm sm;
	int64_t t;

	(void)state;
	neigh_params_init(&p, 1u << 30);
	assert_int_equal(p.reachable_time, 22500);
	t = resolve(&sm, &p);
	assert_int_equal(sm.timer_deadline, t + 22500);
	/* Linux compares with time_before_eq: still reachable at the exact deadline. */
	assert_int_equal(neigh_sm_timer(&sm, t + 22500), 0);
	assert_int_equal(sm.state, NEIGH_REACHABLE);
	assert_int_equal(sm.timer_deadline, t + 22510);
	assert_int_equal(neigh_sm_timer(&sm, t + 22510), 0);
	assert_int_equal(sm.state, NEIGH_STALE);
	assert_int_equal(sm.timer_deadline, 0);
	assert_mac(&sm, &mac_a);
}

static void test_reachable_confirmed_stays(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;
	int64_t t = resolve(&sm, &p);

	(void)state;
	neigh_sm_confirm(&sm, t + 20000);
	assert_int_equal(neigh_sm_timer(&sm, t + 30000), 0);
	assert_int_equal(sm.state, NEIGH_REACHABLE);
	assert_int_equal(sm.timer_deadline, t + 50000);
}

static void test_reachable_in_use_goes_delay(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;
	int64_t t = resolve(&sm, &p);

	(void)state;
	/* Output marks the entry used. */
	assert_int_equal(neigh_sm_output(&sm, t + 28000), TX);
	assert_int_equal(neigh_sm_timer(&sm, t + 30000), 0);
	assert_int_equal(neigh_sm_timer(&sm, t + 30010), 0);
	assert_int_equal(sm.state, NEIGH_DELAY);
	assert_int_equal(sm.timer_deadline, t + 35010);
}

static void test_stale_output_delay_probe_fail(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;
	int64_t t = T0 + 10000;

	(void)state;
	learn_stale(&sm, &p);
	assert_int_equal(neigh_sm_output(&sm, t), TX);
	assert_int_equal(sm.state, NEIGH_DELAY);
	assert_int_equal(sm.timer_deadline, t + 5000);
	assert_int_equal(sm.updated, t);
	assert_int_equal(neigh_sm_output(&sm, t + 1000), TX);

	assert_int_equal(neigh_sm_timer(&sm, t + 5000), UCAST);
	assert_int_equal(sm.state, NEIGH_PROBE);
	assert_int_equal(sm.timer_deadline, t + 6000);
	assert_int_equal(sm.updated, t + 5000);
	assert_int_equal(neigh_sm_output(&sm, t + 5500), TX);
	assert_int_equal(neigh_sm_timer(&sm, t + 6000), UCAST);
	assert_int_equal(neigh_sm_timer(&sm, t + 7000), UCAST);
	assert_int_equal(sm.state, NEIGH_PROBE);
	assert_int_equal(neigh_sm_timer(&sm, t + 8000), FLUSH_UNREACH);
	assert_int_equal(sm.state, NEIGH_FAILED);
	assert_int_equal(sm.timer_deadline, 0);
}

static void test_delay_confirmed_goes_reachable(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;
	int64_t t = T0 + 10000;

	(void)state;
	learn_stale(&sm, &p);
	neigh_sm_output(&sm, t);
	neigh_sm_confirm(&sm, t + 2000);
	assert_int_equal(neigh_sm_timer(&sm, t + 5000), 0);
	assert_int_equal(sm.state, NEIGH_REACHABLE);
	assert_int_equal(sm.timer_deadline, t + 2000 + 30000);
}

static void test_probe_reply_goes_reachable(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;
	int64_t t = T0 + 10000;

	(void)state;
	learn_stale(&sm, &p);
	neigh_sm_output(&sm, t);
	neigh_sm_timer(&sm, t + 5000);
	assert_int_equal(neigh_sm_update(&sm, t + 5100, &mac_a, NEIGH_REACHABLE,
				 neigh_sm_arp_flags(&sm, t + 5100, false)),
		0);
	assert_int_equal(sm.state, NEIGH_REACHABLE);
	assert_int_equal(sm.timer_deadline, t + 5100 + 30000);
}

static void test_request_with_new_mac_goes_stale(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;
	int64_t t = resolve(&sm, &p) + 5000;

	(void)state;
	assert_int_equal(
		neigh_sm_update(&sm, t, &mac_b, NEIGH_STALE, NEIGH_UPDATE_F_OVERRIDE), LLADDR);
	assert_int_equal(sm.state, NEIGH_STALE);
	assert_int_equal(sm.timer_deadline, 0);
	assert_mac(&sm, &mac_b);
	/* The old address's confirmation no longer counts. */
	assert_true(sm.confirmed < t - 30000);
}

static void test_request_with_same_mac_keeps_reachable(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;
	int64_t t = resolve(&sm, &p);
	int64_t deadline = sm.timer_deadline;

	(void)state;
	assert_int_equal(
		neigh_sm_update(&sm, t + 5000, &mac_a, NEIGH_STALE, NEIGH_UPDATE_F_OVERRIDE), 0);
	assert_int_equal(sm.state, NEIGH_REACHABLE);
	assert_int_equal(sm.timer_deadline, deadline);
	assert_int_equal(sm.updated, t);
}

static void test_locktime(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;
	int64_t t = resolve(&sm, &p);

	(void)state;
	/* A second reply with another address within locktime is ignored... */
	assert_int_equal(neigh_sm_arp_flags(&sm, t + 1000, false), 0);
	assert_int_equal(neigh_sm_update(&sm, t + 1000, &mac_b, NEIGH_REACHABLE,
				 neigh_sm_arp_flags(&sm, t + 1000, false)),
		0);
	assert_mac(&sm, &mac_a);
	/* ...though, as in Linux, it still counts as a confirmation. */
	assert_int_equal(sm.confirmed, t + 1000);
	/* After locktime it overrides. */
	assert_int_equal(neigh_sm_update(&sm, t + 1001, &mac_b, NEIGH_REACHABLE,
				 neigh_sm_arp_flags(&sm, t + 1001, false)),
		LLADDR);
	assert_mac(&sm, &mac_b);
	/* A gratuitous ARP overrides at once. */
	assert_int_equal(neigh_sm_update(&sm, t + 1002, &mac_a, NEIGH_STALE,
				 neigh_sm_arp_flags(&sm, t + 1002, true)),
		LLADDR);
	assert_mac(&sm, &mac_a);
	assert_int_equal(sm.state, NEIGH_STALE);
}

static void test_weak_override(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;
	int64_t t = resolve(&sm, &p);

	(void)state;
	assert_int_equal(
		neigh_sm_update(&sm, t + 10, &mac_b, NEIGH_REACHABLE, NEIGH_UPDATE_F_WEAK_OVERRIDE),
		0);
	assert_int_equal(sm.state, NEIGH_STALE);
	assert_mac(&sm, &mac_a);
	/* Once STALE there is nothing left to suspect: ignored. */
	assert_int_equal(
		neigh_sm_update(&sm, t + 20, &mac_b, NEIGH_REACHABLE, NEIGH_UPDATE_F_WEAK_OVERRIDE),
		0);
	assert_int_equal(sm.state, NEIGH_STALE);
	assert_mac(&sm, &mac_a);
}

static void test_permanent(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;

	(void)state;
	neigh_sm_init(&sm, &p, T0);
	neigh_sm_output(&sm, T0);
	assert_int_equal(neigh_sm_set_permanent(&sm, T0 + 10, &mac_a), LLADDR | FLUSH_SEND);
	assert_int_equal(sm.state, NEIGH_PERMANENT);
	assert_int_equal(sm.timer_deadline, 0);

	assert_int_equal(
		neigh_sm_update(&sm, T0 + 5000, &mac_b, NEIGH_REACHABLE, NEIGH_UPDATE_F_OVERRIDE),
		-EPERM);
	assert_int_equal(
		neigh_sm_update(&sm, T0 + 5000, &mac_b, NEIGH_STALE, NEIGH_UPDATE_F_OVERRIDE),
		-EPERM);
	assert_int_equal(neigh_sm_update(&sm, T0 + 5000, NULL, NEIGH_FAILED, 0), -EPERM);
	assert_int_equal(neigh_sm_timer(&sm, T0 + 1000000), 0);
	assert_int_equal(neigh_sm_output(&sm, T0 + 1000000), TX);
	assert_int_equal(sm.state, NEIGH_PERMANENT);
	assert_mac(&sm, &mac_a);
	assert_false(neigh_sm_gc_expired(&sm, T0 + 100000000, false));

	/* Admin replace and delete. */
	assert_int_equal(neigh_sm_set_permanent(&sm, T0 + 2000000, &mac_b), LLADDR);
	assert_mac(&sm, &mac_b);
	assert_int_equal(neigh_sm_set_permanent(&sm, T0 + 2000001, &mac_b), 0);
	assert_int_equal(neigh_sm_delete(&sm, T0 + 2000002), 0);
	assert_int_equal(sm.state, NEIGH_FAILED);
	assert_true(neigh_sm_gc_expired(&sm, T0 + 2000002, false));
}

static void test_failed_output_restarts(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;
	int64_t t = T0 + 100000;

	(void)state;
	neigh_sm_init(&sm, &p, T0);
	neigh_sm_output(&sm, T0);
	while (sm.timer_deadline)
		neigh_sm_timer(&sm, sm.timer_deadline);
	assert_int_equal(sm.state, NEIGH_FAILED);

	assert_int_equal(neigh_sm_output(&sm, t), QUEUE | MCAST);
	assert_int_equal(sm.state, NEIGH_INCOMPLETE);
	assert_int_equal(neigh_sm_timer(&sm, t + 1000), MCAST);
	assert_int_equal(neigh_sm_timer(&sm, t + 2000), MCAST);
	assert_int_equal(neigh_sm_timer(&sm, t + 3000), FLUSH_UNREACH);
}

static void test_delete_while_incomplete(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;

	(void)state;
	neigh_sm_init(&sm, &p, T0);
	neigh_sm_output(&sm, T0);
	assert_int_equal(neigh_sm_delete(&sm, T0 + 10), FLUSH_UNREACH);
	assert_int_equal(sm.state, NEIGH_FAILED);
	assert_int_equal(sm.timer_deadline, 0);
	assert_int_equal(neigh_sm_timer(&sm, T0 + 1000), 0);
}

static void test_probe_kinds(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;
	int64_t t = T0 + 10000;

	(void)state;
	p.ucast_probes = 1;
	p.app_probes = 1;
	p.mcast_probes = 2;
	p.mcast_reprobes = 1;

	/* PROBE: ucast, then app, then mcast_reprobes broadcasts. */
	learn_stale(&sm, &p);
	neigh_sm_output(&sm, t);
	assert_int_equal(neigh_sm_timer(&sm, t + 5000), UCAST);
	assert_int_equal(neigh_sm_timer(&sm, t + 6000), APP);
	assert_int_equal(neigh_sm_timer(&sm, t + 7000), MCAST);
	assert_int_equal(neigh_sm_timer(&sm, t + 8000), FLUSH_UNREACH);

	/* INCOMPLETE skips the unicast probes: app, then mcast_probes broadcasts. */
	assert_int_equal(neigh_sm_output(&sm, t + 9000), QUEUE | APP);
	assert_int_equal(neigh_sm_timer(&sm, t + 10000), MCAST);
	assert_int_equal(neigh_sm_timer(&sm, t + 11000), MCAST);
	assert_int_equal(neigh_sm_timer(&sm, t + 12000), FLUSH_UNREACH);
}

static void test_no_probes_drops(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;

	(void)state;
	p.mcast_probes = 0;
	neigh_sm_init(&sm, &p, T0);
	assert_int_equal(neigh_sm_output(&sm, T0), NEIGH_ACT_DROP);
	assert_int_equal(sm.state, NEIGH_FAILED);
	assert_int_equal(sm.timer_deadline, 0);
}

static void test_update_errors(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;

	(void)state;
	neigh_sm_init(&sm, &p, T0);
	assert_int_equal(neigh_sm_update(&sm, T0, NULL, NEIGH_REACHABLE, 0), -EINVAL);
	assert_int_equal(neigh_sm_update(&sm, T0, &mac_a, NEIGH_INCOMPLETE, 0), -EINVAL);
	assert_int_equal(neigh_sm_update(&sm, T0, &mac_a, (enum neigh_state)0x40, 0), -EINVAL);
	assert_int_equal(sm.state, NEIGH_NONE);
}

static void test_gc(void **state)
{
	struct neigh_params p = params();
	struct neigh_sm sm;

	(void)state;
	/* Unused NONE and STALE entries go after gc_stale_time. */
	neigh_sm_init(&sm, &p, T0);
	assert_false(neigh_sm_gc_expired(&sm, T0 + 59999, false));
	assert_true(neigh_sm_gc_expired(&sm, T0 + 60000, false));
	learn_stale(&sm, &p);
	assert_false(neigh_sm_gc_expired(&sm, T0 + 59999, false));
	assert_true(neigh_sm_gc_expired(&sm, T0 + 60000, false));
	assert_false(neigh_sm_gc_expired(&sm, T0 + 60000, true));
	/* Use and confirmation both count. */
	neigh_sm_mark_used(&sm, T0 + 10000);
	assert_false(neigh_sm_gc_expired(&sm, T0 + 60000, false));
	assert_true(neigh_sm_gc_expired(&sm, T0 + 70000, false));
	neigh_sm_confirm(&sm, T0 + 20000);
	assert_false(neigh_sm_gc_expired(&sm, T0 + 70000, false));
	assert_true(neigh_sm_gc_expired(&sm, T0 + 80000, false));

	/* Entries with a timer stay, however old. */
	resolve(&sm, &p);
	assert_false(neigh_sm_gc_expired(&sm, T0 + 1000000, false));
	neigh_sm_init(&sm, &p, T0);
	neigh_sm_output(&sm, T0);
	assert_false(neigh_sm_gc_expired(&sm, T0 + 1000000, false));

	/* FAILED goes at once unless referenced. */
	while (sm.timer_deadline)
		neigh_sm_timer(&sm, sm.timer_deadline);
	assert_int_equal(sm.state, NEIGH_FAILED);
	assert_true(neigh_sm_gc_expired(&sm, T0 + 3000, false));
	assert_false(neigh_sm_gc_expired(&sm, T0 + 3000, true));
}

static void test_reach_time_range(void **state)
{
	uint32_t x = 2463534242u;

	(void)state;
	assert_int_equal(neigh_rand_reach_time(30000, 0), 15000);
	assert_int_equal(neigh_rand_reach_time(30000, UINT32_MAX), 44999);
	assert_int_equal(neigh_rand_reach_time(0, 12345), 0);
	for (int i = 0; i < 100000; i++) {
		uint32_t r;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		r = neigh_rand_reach_time(30000, x);
		assert_in_range(r, 15000, 44999);
	}
}

static void test_state_names(void **state)
{
	enum neigh_state s;

	(void)state;
	assert_string_equal(neigh_state_name(NEIGH_REACHABLE), "REACHABLE");
	assert_string_equal(neigh_state_name(NEIGH_PERMANENT), "PERMANENT");
	assert_string_equal(neigh_state_name((enum neigh_state)0x40), "UNKNOWN");
	assert_int_equal(neigh_state_parse("permanent", &s), 0);
	assert_int_equal(s, NEIGH_PERMANENT);
	assert_int_equal(neigh_state_parse("Stale", &s), 0);
	assert_int_equal(s, NEIGH_STALE);
	assert_int_equal(neigh_state_parse("none", &s), 0);
	assert_int_equal(s, NEIGH_NONE);
	assert_int_equal(neigh_state_parse("noarp", &s), -EINVAL);
	assert_non_null(strstr(fp_errmsg(), "noarp"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_packet_broadcasts_then_fails),
		cmocka_unit_test(test_reply_while_incomplete),
		cmocka_unit_test(test_request_while_incomplete),
		cmocka_unit_test(test_reachable_expires_to_stale),
		cmocka_unit_test(test_reachable_confirmed_stays),
		cmocka_unit_test(test_reachable_in_use_goes_delay),
		cmocka_unit_test(test_stale_output_delay_probe_fail),
		cmocka_unit_test(test_delay_confirmed_goes_reachable),
		cmocka_unit_test(test_probe_reply_goes_reachable),
		cmocka_unit_test(test_request_with_new_mac_goes_stale),
		cmocka_unit_test(test_request_with_same_mac_keeps_reachable),
		cmocka_unit_test(test_locktime),
		cmocka_unit_test(test_weak_override),
		cmocka_unit_test(test_permanent),
		cmocka_unit_test(test_failed_output_restarts),
		cmocka_unit_test(test_delete_while_incomplete),
		cmocka_unit_test(test_probe_kinds),
		cmocka_unit_test(test_no_probes_drops),
		cmocka_unit_test(test_update_errors),
		cmocka_unit_test(test_gc),
		cmocka_unit_test(test_reach_time_range),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
