/* SPDX-License-Identifier: BSD-3-Clause */
#include "test_routes.h"
#include "base/fp_error.h"
#include "config/config.h"
#include "config/iface_names.h"

#include <string.h>
#include <time.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define MAX_GROUPS (1 << 16) /* the size of fp_nh_groups (fib.c) */

unsigned int test_nh_group_count(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < MAX_GROUPS; i++)
		n += fp_nh_groups[i] != NULL;
	return n;
}

double test_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void test_slot_counts(const struct nh_group *g, unsigned int counts[FIB4_ECMP_MAX])
{
	memset(counts, 0, FIB4_ECMP_MAX * sizeof(*counts));
	assert_true(g->n_slots >= 1 && g->n_slots <= FIB4_SLOTS_MAX);
	for (unsigned int s = 0; s < g->n_slots; s++) {
		assert_true(g->slots[s] < g->n_members);
		counts[g->slots[s]]++;
	}
}

void test_apply_routes(const char *routes)
{
	const struct cfg_section *section = cfg_section_find("routes");
	json_t *value = json_loads(routes, 0, NULL);
	struct cfg_ctx ctx;
	void *parsed = NULL;

	assert_non_null(value);
	cfg_ctx_init_live(&ctx);
	if (section->parse(&ctx, value, &parsed) < 0 || section->apply(parsed) < 0)
		fail_msg("%s", fp_errmsg());
	cfg_ctx_fini(&ctx);
	section->free(parsed);
	json_decref(value);
}

int test_seen_add(const struct route *r, void *arg)
{
	struct test_seen *s = arg;

	assert_true(s->n < 64);
	fp_ip_prefix_fmt(&r->prefix, s->prefix[s->n++]);
	return 0;
}

int test_seen_count(const struct test_seen *s, const char *prefix)
{
	int n = 0;

	for (int i = 0; i < s->n; i++)
		n += strcmp(s->prefix[i], prefix) == 0;
	return n;
}
