/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/fp_error.h"
#include "telemetry.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

/*
 * Commands of DPDK's telemetry socket (/var/run/dpdk/<prefix>/dpdk_telemetry.v2,
 * e.g. dpdk-telemetry.py -f fastpath). They run on DPDK's telemetry threads:
 * they read the snapshot the control thread publishes every 500 ms, never the
 * control thread's tables.
 */

/* Dict keys may hold letters, digits, '_' and '/' only: others become '_'. */
static const char *dict_key(const char *name, char *buf, size_t size)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i < size - 1; i++)
		buf[i] = isalnum((unsigned char)name[i]) || name[i] == '/' ? name[i] : '_';
	buf[i] = '\0';
	return buf;
}

static int cmd_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct tel_snapshot *s;
	unsigned int slot;

	(void)cmd;
	(void)params;
	if ((s = tel_snapshot_acquire(&slot)) == NULL)
		return -EAGAIN;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (size_t i = 0; i < s->n; i++)
		if (s->rows[i].kind == TEL_PORTS && tel_snapshot_first_name(s, i))
			rte_tel_data_add_array_string(d, s->rows[i].name);
	tel_snapshot_release(slot);
	return 0;
}

static int cmd_port(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct tel_snapshot *s;
	unsigned int slot;
	char key[RTE_TEL_MAX_STRING_LEN];
	bool found = false;

	(void)cmd;
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	if ((s = tel_snapshot_acquire(&slot)) == NULL)
		return -EAGAIN;
	rte_tel_data_start_dict(d);
	for (size_t i = 0; i < s->n; i++) {
		const struct tel_row *r = &s->rows[i];

		if (r->kind != TEL_PORTS || strcmp(r->name, params) != 0)
			continue;
		rte_tel_data_add_dict_u64(d, dict_key(r->field, key, sizeof(key)), r->value);
		found = true;
	}
	tel_snapshot_release(slot);
	return found ? 0 : -ENOENT;
}

static int cmd_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct tel_snapshot *s;
	unsigned int slot;
	char key[RTE_TEL_MAX_STRING_LEN];

	(void)cmd;
	(void)params;
	if ((s = tel_snapshot_acquire(&slot)) == NULL)
		return -EAGAIN;
	rte_tel_data_start_dict(d);
	for (size_t i = 0; i < s->n; i++) {
		const struct tel_row *r = &s->rows[i];

		if (r->kind == TEL_DROPS && strcmp(r->field, "packets") == 0)
			rte_tel_data_add_dict_u64(d, dict_key(r->name, key, sizeof(key)), r->value);
	}
	tel_snapshot_release(slot);
	return 0;
}

/* The rows of kind, a dict per name: {"ip4_input": {"calls": .., "packets": .., "cycles": ..}} */
static int by_name(enum tel_kind kind, struct rte_tel_data *d)
{
	const struct tel_snapshot *s;
	unsigned int slot;
	char key[RTE_TEL_MAX_STRING_LEN];
	int ret = 0;

	if ((s = tel_snapshot_acquire(&slot)) == NULL)
		return -EAGAIN;
	rte_tel_data_start_dict(d);
	for (size_t i = 0; i < s->n; i++) {
		struct rte_tel_data *one;

		if (s->rows[i].kind != kind || !tel_snapshot_first_name(s, i))
			continue;
		if ((one = rte_tel_data_alloc()) == NULL) {
			ret = -ENOMEM;
			break;
		}
		rte_tel_data_start_dict(one);
		for (size_t j = i; j < s->n; j++)
			if (s->rows[j].kind == kind &&
				strcmp(s->rows[j].name, s->rows[i].name) == 0)
				rte_tel_data_add_dict_u64(one,
					dict_key(s->rows[j].field, key, sizeof(key)),
					s->rows[j].value);
		/* keep 0: the library frees the container with the reply */
		if (rte_tel_data_add_dict_container(
			    d, dict_key(s->rows[i].name, key, sizeof(key)), one, 0) < 0) {
			/* past RTE_TEL_MAX_DICT_ENTRIES: the names so far */
			rte_tel_data_free(one);
			break;
		}
	}
	tel_snapshot_release(slot);
	return ret;
}

static int cmd_nodes(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return by_name(TEL_NODES, d);
}

/* {"mbuf_0": {"size": .., "in_use": .., "free": ..}} */
static int cmd_mempools(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return by_name(TEL_MEMPOOLS, d);
}

int tel_dpdk_register(void)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{"/fastpath/ports", cmd_ports, "Returns the fastpath port names. No parameters."},
		{"/fastpath/port", cmd_port,
			"Returns the counters of a fastpath port. Parameter: port name."},
		{"/fastpath/drops", cmd_drops,
			"Returns the packets dropped by fastpath, by reason. No parameters."},
		{"/fastpath/nodes", cmd_nodes,
			"Returns calls, packets and cycles of each fastpath graph node, summed "
			"over the workers. No parameters."},
		{"/fastpath/mempools", cmd_mempools,
			"Returns the size, mbufs in use and mbufs free of each mempool. No "
			"parameters."},
	};

	for (size_t i = 0; i < RTE_DIM(cmds); i++) {
		int ret = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help);

		if (ret < 0)
			return fp_error(
				ret, "telemetry command %s: %s", cmds[i].cmd, strerror(-ret));
	}
	return 0;
}
