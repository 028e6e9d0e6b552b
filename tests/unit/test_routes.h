/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/* What the route table tests (test_fib, test_fib6) share. */

#include "fib/fib.h"

/* Next-hop groups allocated now. */
unsigned int test_nh_group_count(void);
/* CLOCK_MONOTONIC, in seconds. */
double test_now_s(void);
/* The ECMP slots of each member of g, every slot checked to name a member. */
void test_slot_counts(const struct nh_group *g, unsigned int counts[FIB4_ECMP_MAX]);
/* The "routes" section of a config document applied as fastpathd does, against live
 * interfaces; the test fails on an error. */
void test_apply_routes(const char *routes);

/* The prefixes a walk visits, in its order (test_seen_add() is its callback). */
struct test_seen {
	char prefix[64][FP_IP_PREFIXSTRLEN];
	int n;
};
int test_seen_add(const struct route *r, void *arg);
/* How many times prefix was seen. */
int test_seen_count(const struct test_seen *s, const char *prefix);
