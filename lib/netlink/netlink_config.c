/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "netlink" section and the netlink.show command:
 * {"enabled": true, "rcvbuf": 67108864, "tables": [{"table": "main", "vrf": 0}]}
 * enabled defaults to whether the interfaces have twins; without twins there is nothing to
 * mirror, and a pure static configuration wants neither the mirror nor the copies.
 */
#include "api/api.h"
#include "config/config.h"
#include "infra/control.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "base/module.h"
#include "nl_priv.h"
#include "twin/twin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#define RCVBUF_DEFAULT (64u << 20)
#define RCVBUF_MIN     4096

struct nl_config nl_config;
static bool enabled_set; /* "enabled" given, else it follows the twins */
static bool started;	 /* the first tick of the control loop has come */

void nl_config_defaults(struct nl_config *c)
{
	*c = (struct nl_config){.enabled = true,
		.rcvbuf = RCVBUF_DEFAULT,
		.n_tables = 1,
		.tables = {{RT_TABLE_MAIN, 0}}};
}

struct parsed {
	struct nl_config c;
	bool enabled_set;
};

static int table_parse(struct cfg_ctx *ctx, const json_t *obj, size_t index, void *arg)
{
	static const char *const keys[] = {"table", "vrf", NULL};
	static const char *const names[] = {"main", "default", NULL};
	struct nl_config *c = arg;
	const json_t *t = json_object_get(obj, "table");
	uint64_t table = 0, vrf = 0;
	int ret, name;

	(void)index;
	if ((ret = cfg_check_keys(ctx, obj, keys)) < 0 ||
		(ret = cfg_get_uint(ctx, obj, "vrf", true, 0, FP_MAX_VRFS - 1, &vrf)) < 0)
		return ret;
	if (json_is_string(t)) {
		if ((ret = cfg_get_enum(ctx, obj, "table", true, names, &name)) < 0)
			return ret;
		table = name == 0 ? RT_TABLE_MAIN : RT_TABLE_DEFAULT;
	} else if ((ret = cfg_get_uint(ctx, obj, "table", true, 1, UINT32_MAX, &table)) < 0) {
		return ret;
	}
	ret = 0;
	cfg_push_key(ctx, "table");
	if (table == RT_TABLE_LOCAL)
		ret = cfg_err(ctx, EINVAL,
			"table local (255) holds the kernel's own addresses; fastpath makes its "
			"local routes itself");
	else if (nl_table_vrf(c, table) >= 0)
		ret = cfg_err(ctx, EEXIST, "table %lu is mapped twice", (unsigned long)table);
	cfg_pop(ctx);
	if (ret == 0 && nl_vrf_table(c, vrf) != 0) {
		cfg_push_key(ctx, "vrf");
		ret = cfg_err(ctx, EEXIST, "VRF %lu is mapped from table %u already",
			(unsigned long)vrf, nl_vrf_table(c, vrf));
		cfg_pop(ctx);
	}
	if (ret == 0)
		c->tables[c->n_tables++] = (struct nl_table_map){table, vrf};
	return ret;
}

static int netlink_parse(struct cfg_ctx *ctx, const json_t *value, void **out)
{
	static const char *const keys[] = {"enabled", "rcvbuf", "tables", NULL};
	struct parsed *p = calloc(1, sizeof(*p));
	json_t *tables = NULL;
	int ret;

	if (p == NULL)
		return cfg_err(ctx, ENOMEM, "out of memory");
	nl_config_defaults(&p->c);
	if ((ret = cfg_check_type(ctx, value, JSON_OBJECT)) < 0 ||
		(ret = cfg_check_keys(ctx, value, keys)) < 0 ||
		(ret = cfg_get_bool(ctx, value, "enabled", false, &p->c.enabled)) < 0 ||
		(ret = cfg_get_uint(
			 ctx, value, "rcvbuf", false, RCVBUF_MIN, INT32_MAX, &p->c.rcvbuf)) < 0 ||
		(ret = cfg_get_array(ctx, value, "tables", false, &tables)) < 0)
		goto fail;
	p->enabled_set = json_object_get(value, "enabled") != NULL;
	if (tables != NULL) {
		p->c.n_tables = 0;
		cfg_push_key(ctx, "tables");
		if (json_array_size(tables) > NL_TABLES_MAX)
			ret = cfg_err(ctx, EINVAL, "at most %d tables", NL_TABLES_MAX);
		else
			ret = cfg_array_foreach_object(ctx, tables, table_parse, &p->c);
		cfg_pop(ctx);
		if (ret < 0)
			goto fail;
	}
	*out = p;
	return 0;
fail:
	free(p);
	return ret;
}

static bool wanted(void)
{
	return enabled_set ? nl_config.enabled : twins_enabled();
}

/* Starts, stops or resyncs the mirror to follow the settings, once the loop runs. */
static int follow_settings(bool tables_changed, bool rcvbuf_changed)
{
	if (!started)
		return 0;
	if (!wanted()) {
		nl_mirror_stop();
		return 0;
	}
	if (!nl_mirror_running())
		return nl_mirror_start();
	if (tables_changed)
		nl_mirror_resync();
	return rcvbuf_changed ? nl_mirror_set_rcvbuf(nl_config.rcvbuf) : 0;
}

static int netlink_apply(void *parsed)
{
	const struct parsed *p = parsed;
	bool tables_changed =
		p->c.n_tables != nl_config.n_tables ||
		memcmp(p->c.tables, nl_config.tables, p->c.n_tables * sizeof(p->c.tables[0])) != 0;
	bool rcvbuf_changed = p->c.rcvbuf != nl_config.rcvbuf;

	nl_config = p->c;
	enabled_set = p->enabled_set;
	return follow_settings(tables_changed, rcvbuf_changed);
}

static json_t *netlink_dump(void)
{
	json_t *tables = json_array();

	for (unsigned int i = 0; i < nl_config.n_tables; i++)
		json_array_append_new(tables,
			json_pack("{s:I, s:i}", "table", (json_int_t)nl_config.tables[i].table,
				"vrf", nl_config.tables[i].vrf));
	return json_pack("{s:b, s:I, s:o}", "enabled", wanted(), "rcvbuf",
		(json_int_t)nl_config.rcvbuf, "tables", tables);
}

static struct cfg_section netlink_section = {
	.key = "netlink",
	.order = 90,
	.parse = netlink_parse,
	.apply = netlink_apply,
	.free = free,
	.dump = netlink_dump,
};
CFG_SECTION_REGISTER(netlink_section)

static int fib_routes_total(uint8_t family)
{
	unsigned int n = 0;

	for (uint16_t vrf = 0; vrf < FP_MAX_VRFS; vrf++)
		n += fib_route_count(family, vrf);
	return n;
}

static int api_netlink_show(const json_t *args, json_t **result)
{
	(void)args;
	/* the FIB's totals, to compare with the kernel's: 1M routes are not listed for a count */
	*result = json_pack("{s:o, s:o, s:o, s:{s:i, s:i}}", "config", netlink_dump(), "mirror",
		nl_mirror_status(), "push", nl_push_status(), "fib_routes", "ipv4",
		fib_routes_total(AF_INET), "ipv6", fib_routes_total(AF_INET6));
	return 0;
}

API_COMMAND(netlink_show_cmd, "netlink.show",
	"the kernel mirror: settings, state and counters (routes, addresses, neighbours, ignored "
	"messages by reason, overruns, dumps)",
	api_netlink_show, API_NO_ARGS)

/* The twins and the config are known once the loop runs: the mirror starts at its first tick. */
static void netlink_tick(void *arg)
{
	(void)arg;
	if (started)
		return;
	started = true;
	if (follow_settings(false, false) < 0)
		LOG(ERR, "%s; the kernel's routes are not mirrored", fp_errmsg());
}

static int netlink_init(void)
{
	nl_config_defaults(&nl_config);
	return control_timer_add("netlink", 1000, netlink_tick, NULL);
}

static struct fp_module netlink_module = {
	.name = "netlink",
	.order = 80,
	.init = netlink_init,
	.fini = nl_mirror_fini,
};
FP_MODULE_REGISTER(netlink_module)
