/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/fp_error.h"
#include "infra/sysctl.h"

#include <errno.h>
#include <string.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Knobs of the test's own, one per combine rule, and a global one. */
static struct sysctl_iface_knob k_only = {
	.family = "ipv4", .name = "test_only", .min = 0, .max = 5, .def = 1};
static struct sysctl_iface_knob k_or = {
	.family = "ipv4", .name = "test_or", .min = 0, .max = 1, .combine = SYSCTL_OR};
static struct sysctl_iface_knob k_and = {
	.family = "ipv4", .name = "test_and", .min = 0, .max = 1, .def = 1, .combine = SYSCTL_AND};
static struct sysctl_iface_knob k_max = {
	.family = "ipv6", .name = "test_max", .min = 0, .max = 2, .combine = SYSCTL_MAX};
SYSCTL_IFACE_REGISTER(k_only)
SYSCTL_IFACE_REGISTER(k_or)
SYSCTL_IFACE_REGISTER(k_and)
SYSCTL_IFACE_REGISTER(k_max)
static struct sysctl_iface_knob k_min = {
	.family = "ipv6", .name = "test_min", .min = -1, .max = 2, .def = 1, .combine = SYSCTL_MIN};
SYSCTL_IFACE_REGISTER(k_min)

static int32_t g_value = 7;
static int applied;
static void g_apply(const struct sysctl_knob *k)
{
	(void)k;
	applied++;
}
static struct sysctl_knob g_knob = {.name = "net.test.global",
	.min = -1,
	.max = 100,
	.def = 7,
	.value = &g_value,
	.apply = g_apply};
SYSCTL_GLOBAL_REGISTER(g_knob)

static struct iface p0 = {.id = 3, .name = "p0"}, p1 = {.id = 4, .name = "p1"};

static int setup(void **state)
{
	(void)state;
	fp_ifaces[p0.id] = &p0;
	fp_ifaces[p1.id] = &p1;
	return sysctl_apply_all(NULL, NULL, 0);
}

static int teardown(void **state)
{
	(void)state;
	fp_ifaces[p0.id] = fp_ifaces[p1.id] = NULL;
	return 0;
}

/* name = value through the by-name interface; asserts success. */
static void set(const char *name, int32_t v)
{
	struct sysctl_ref ref;
	struct sysctl_value val = {.i = v};

	assert_int_equal(sysctl_resolve(name, true, &ref), 0);
	assert_int_equal(sysctl_set(&ref, &val), 0);
}

static int32_t get(const char *name)
{
	struct sysctl_ref ref;
	struct sysctl_value val;

	assert_int_equal(sysctl_resolve(name, true, &ref), 0);
	assert_int_equal(sysctl_get(&ref, &val), 0);
	return val.i;
}

static void test_combine_rules(void **state)
{
	(void)state;
	/* IN_DEV_CONF_GET: "all" plays no part */
	assert_int_equal(sysctl_iface(p0.id, &k_only), 1);
	set("net.ipv4.conf.all.test_only", 4);
	assert_int_equal(iface_sysctl(&p0, &k_only), 1);
	set("net.ipv4.conf.p0.test_only", 3);
	assert_int_equal(iface_sysctl(&p0, &k_only), 3);
	assert_int_equal(iface_sysctl(&p1, &k_only), 1);
	/* IN_DEV_ORCONF */
	assert_int_equal(iface_sysctl(&p0, &k_or), 0);
	set("net.ipv4.conf.p1.test_or", 1);
	assert_int_equal(iface_sysctl(&p0, &k_or), 0);
	assert_int_equal(iface_sysctl(&p1, &k_or), 1);
	set("net.ipv4.conf.all.test_or", 1);
	assert_int_equal(iface_sysctl(&p0, &k_or), 1);
	/* IN_DEV_ANDCONF */
	assert_int_equal(iface_sysctl(&p0, &k_and), 1);
	set("net.ipv4.conf.all.test_and", 0);
	assert_int_equal(iface_sysctl(&p0, &k_and), 0);
	set("net.ipv4.conf.all.test_and", 1);
	set("net.ipv4.conf.p0.test_and", 0);
	assert_int_equal(iface_sysctl(&p0, &k_and), 0);
	assert_int_equal(iface_sysctl(&p1, &k_and), 1);
	/* IN_DEV_MAXCONF, as rp_filter: all 2 makes every interface loose */
	set("net.ipv6.conf.p0.test_max", 1);
	assert_int_equal(iface_sysctl(&p0, &k_max), 1);
	set("net.ipv6.conf.all.test_max", 2);
	assert_int_equal(iface_sysctl(&p0, &k_max), 2);
	assert_int_equal(iface_sysctl(&p1, &k_max), 2);
	set("net.ipv6.conf.all.test_max", 0);
	assert_int_equal(iface_sysctl(&p0, &k_max), 1);
	assert_int_equal(iface_sysctl(&p1, &k_max), 0);
	/* min(all, iface), as IPv6's accept_source_route */
	set("net.ipv6.conf.p0.test_min", 2);
	assert_int_equal(iface_sysctl(&p0, &k_min), 1);
	set("net.ipv6.conf.all.test_min", -1);
	assert_int_equal(iface_sysctl(&p0, &k_min), -1);
	assert_int_equal(iface_sysctl(&p1, &k_min), -1);
	/* the own value is what is read back, not the effective one */
	assert_int_equal(get("net.ipv6.conf.p0.test_max"), 1);
}

/* "default" reaches the interfaces never set, and those to come; not those set. */
static void test_default(void **state)
{
	(void)state;
	set("net.ipv4.conf.p0.test_only", 2);
	set("net.ipv4.conf.default.test_only", 5);
	assert_int_equal(iface_sysctl(&p0, &k_only), 2);
	assert_int_equal(iface_sysctl(&p1, &k_only), 5);
	assert_int_equal(get("net.ipv4.conf.p1.test_only"), 5);
	/* an id no interface has yet: what a new interface starts with */
	assert_int_equal(sysctl_iface(7, &k_only), 5);
}

/* What config dump writes: values not default, and interfaces' own values. */
static void test_is_set(void **state)
{
	struct sysctl_ref ref;

	(void)state;
	set("net.ipv4.conf.p0.test_only", 1);
	set("net.ipv4.conf.default.test_only", 5);
	assert_int_equal(sysctl_resolve("net.ipv4.conf.p0.test_only", true, &ref), 0);
	assert_true(sysctl_is_set(&ref));
	assert_int_equal(sysctl_resolve("net.ipv4.conf.p1.test_only", true, &ref), 0);
	assert_false(sysctl_is_set(&ref));
	assert_int_equal(sysctl_resolve("net.ipv4.conf.default.test_only", true, &ref), 0);
	assert_true(sysctl_is_set(&ref));
	assert_int_equal(sysctl_resolve("net.ipv4.conf.all.test_only", true, &ref), 0);
	assert_false(sysctl_is_set(&ref));
	assert_int_equal(sysctl_resolve("net.test.global", true, &ref), 0);
	assert_false(sysctl_is_set(&ref));
}

static void test_errors(void **state)
{
	struct sysctl_ref ref;
	struct sysctl_value v = {.i = 3};

	(void)state;
	assert_int_equal(sysctl_resolve("net.ipv4.conf.p9.test_only", true, &ref), -ENODEV);
	assert_non_null(strstr(fp_errmsg(), "p9"));
	assert_int_equal(sysctl_resolve("net.ipv4.conf.p9.test_only", false, &ref), 0);
	assert_string_equal(ref.iface, "p9");
	assert_int_equal(sysctl_resolve("net.ipv4.test_only", true, &ref), -ENOENT);
	assert_int_equal(sysctl_resolve("net.ipv6.conf.all.test_only", true, &ref), -ENOENT);
	assert_int_equal(sysctl_resolve("net.ipv4.conf.p0.test_or", true, &ref), 0);
	assert_int_equal(sysctl_set(&ref, &v), -ERANGE);
	assert_non_null(strstr(fp_errmsg(), "[0, 1]"));
	v.is_text = true;
	assert_int_equal(sysctl_set(&ref, &v), -EINVAL);
}

/* A whole configuration: what it names, every other name to its default, applies once. */
static void test_apply_all(void **state)
{
	struct sysctl_ref refs[2];
	struct sysctl_value vals[2] = {{.i = 50}, {.i = 2}};
	int before;

	(void)state;
	set("net.ipv4.conf.p1.test_only", 4);
	set("net.ipv4.conf.all.test_or", 1);
	assert_int_equal(sysctl_resolve("net.test.global", true, &refs[0]), 0);
	assert_int_equal(sysctl_resolve("net.ipv6.conf.p1.test_max", true, &refs[1]), 0);
	before = applied;
	assert_int_equal(sysctl_apply_all(refs, vals, 2), 0);
	assert_int_equal(g_value, 50);
	assert_int_equal(applied, before + 1);
	assert_int_equal(iface_sysctl(&p1, &k_max), 2);
	assert_int_equal(iface_sysctl(&p1, &k_only), 1);
	assert_int_equal(iface_sysctl(&p1, &k_or), 0);
	/* the same again changes nothing */
	assert_int_equal(sysctl_apply_all(refs, vals, 2), 0);
	assert_int_equal(applied, before + 1);
	/* an out-of-range value: refused, nothing changed */
	vals[0].i = 101;
	assert_int_equal(sysctl_apply_all(refs, vals, 2), -ERANGE);
	assert_int_equal(g_value, 50);
}

static int count(const char *name, const struct sysctl_ref *ref, void *arg)
{
	static char prev[SYSCTL_NAME_MAX];

	(void)ref;
	assert_true(strcmp(prev, name) < 0);
	snprintf(prev, sizeof(prev), "%s", name);
	if (strstr(name, ".test_max") != NULL)
		(*(int *)arg)++;
	return 0;
}

/* Sorted names, "all", "default" and every interface's. */
static void test_walk(void **state)
{
	int n = 0;

	(void)state;
	assert_int_equal(sysctl_walk(count, &n), 0);
	assert_int_equal(n, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_combine_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_is_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
