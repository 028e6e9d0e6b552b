/* SPDX-License-Identifier: BSD-3-Clause */
/* The af_xdp port driver's keys as the PMD's devargs, and its refusals (drivers/af_xdp.c). */
#include "config/config.h"
#include "base/fp_error.h"
#include "infra/port.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* The driver's parse of the port object text, at /ports/0 as in a config file. */
static int parse_ring(const char *port, uint16_t rx_ring, struct port_conf *conf)
{
	char text[512];
	struct cfg_doc *doc = NULL;
	struct cfg_ctx ctx;
	int ret;

	snprintf(text, sizeof(text), "{\"ports\": [%s]}", port);
	if (cfg_doc_load_string("t.json", text, &doc) < 0)
		fail_msg("%s", fp_errmsg());
	*conf = (struct port_conf){.name = "p1", .rxqs = 1, .rx_ring = rx_ring, .tx_ring = 1024};
	cfg_ctx_init(&ctx, doc);
	cfg_push_key(&ctx, "ports");
	cfg_push_index(&ctx, 0);
	conf->driver = port_driver_find("af_xdp");
	assert_non_null(conf->driver);
	ret = conf->driver->parse(
		&ctx, json_array_get(json_object_get(cfg_doc_root(doc), "ports"), 0), conf);
	cfg_ctx_fini(&ctx);
	cfg_doc_free(doc);
	return ret;
}

static int parse(const char *port, struct port_conf *conf)
{
	return parse_ring(port, 1024, conf);
}

static void test_devargs(void **state)
{
	struct port_conf conf;
	const char *prog;

	(void)state;
	assert_int_equal(parse("{\"iface\": \"lo\", \"start_queue\": 2, \"busy_budget\": 0, "
			       "\"force_copy\": true}",
				 &conf),
		0);
	/* a test of the build tree takes the program of the build tree */
	prog = strstr(conf.devargs, ",xdp_prog=");
	assert_non_null(prog);
	assert_string_equal(
		prog + strlen(prog) - strlen("/drivers/fastpath_xdp.o"), "/drivers/fastpath_xdp.o");
	assert_memory_equal(conf.devargs,
		"net_af_xdp_p1,iface=lo,start_queue=2,busy_budget=0,force_copy=1,xdp_prog=",
		prog - conf.devargs + strlen(",xdp_prog="));
	assert_string_equal(conf.driver->queues_arg, "queue_count");
}

static void test_own_program(void **state)
{
	struct port_conf conf;

	(void)state;
	assert_int_equal(parse("{\"iface\": \"lo\", \"xdp_prog\": \"/dev/null\"}", &conf), 0);
	assert_string_equal(conf.devargs, "net_af_xdp_p1,iface=lo,xdp_prog=/dev/null");
}

static void test_refusals(void **state)
{
	struct port_conf conf;

	(void)state;
	assert_int_equal(parse("{}", &conf), -EINVAL);
	assert_string_equal(fp_errmsg(), "t.json:1:12: /ports/0: missing key 'iface'");
	assert_int_equal(parse("{\"iface\": \"nosuch0\"}", &conf), -ENODEV);
	assert_string_equal(
		fp_errmsg(), "t.json:1:22: /ports/0/iface: no network interface 'nosuch0' here");
	assert_int_equal(
		parse("{\"iface\": \"lo\", \"mac\": \"02:00:00:00:00:01\"}", &conf), -EINVAL);
	assert_non_null(strstr(fp_errmsg(), "an af_xdp port has the MAC address of its netdev"));
	assert_int_equal(parse("{\"iface\": \"lo\", \"busy_budget\": 65536}", &conf), -ERANGE);
	assert_non_null(strstr(fp_errmsg(), "/ports/0/busy_budget: "));
	assert_int_equal(
		parse("{\"iface\": \"lo\", \"xdp_prog\": \"/nonexistent.o\"}", &conf), -ENOENT);
	assert_non_null(strstr(fp_errmsg(), "/ports/0/xdp_prog: /nonexistent.o: No such file"));
	assert_int_equal(parse("{\"iface\": \"lo,x=1\"}", &conf), -EINVAL);
	assert_non_null(strstr(fp_errmsg(), "',' and '=' cannot appear in 'iface'"));
	assert_int_equal(parse_ring("{\"iface\": \"lo\"}", 1000, &conf), -EINVAL);
	assert_non_null(strstr(fp_errmsg(), "have a power of 2 entries, not 1000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_devargs),
		cmocka_unit_test(test_own_program),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
