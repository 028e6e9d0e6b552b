/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/fp_error.h"
#include "base/fp_net.h"
#include "config/config.h"
#include "infra/iface.h"
#include "infra/port.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

/* "ports": [{"name": "p0", "driver": "af_packet", "iface": "veth0", "mtu": 1500, ...}] */

static const char *const common_keys[] = {
	"name", "driver", "mtu", "mac", "rxqs", "rx_ring", "tx_ring", "promisc", "devargs", "up"};

static void port_conf_free(void *conf)
{
	json_decref(((struct port_conf *)conf)->driver_args);
}

static int check_keys(struct cfg_ctx *ctx, const json_t *obj, const struct port_driver *d)
{
	const char *keys[64];
	size_t n = 0;

	for (size_t i = 0; i < RTE_DIM(common_keys); i++)
		keys[n++] = common_keys[i];
	for (size_t i = 0; d->keys[i].key != NULL && n < RTE_DIM(keys) - 1; i++)
		keys[n++] = d->keys[i].key;
	keys[n] = NULL;
	return cfg_check_keys(ctx, obj, keys);
}

static int parse_u16(struct cfg_ctx *ctx, const json_t *obj, const char *key, uint64_t min,
	uint64_t max, uint16_t *out)
{
	uint64_t v;
	int ret = cfg_get_uint(ctx, obj, key, false, min, max, &v);

	if (ret > 0)
		*out = v;
	return ret;
}

/* Keeps only the driver's own keys, as the user wrote them, for dumps. */
static json_t *driver_args_of(const json_t *obj, const struct port_driver *d)
{
	json_t *args = json_object();

	for (size_t i = 0; d->keys[i].key != NULL; i++) {
		json_t *v = json_object_get(obj, d->keys[i].key);
		if (v != NULL)
			json_object_set(args, d->keys[i].key, v);
	}
	return args;
}

/* The first key of obj that names a file for the PMD ("devargs" may), or NULL. */
static const char *file_key(const json_t *obj, const struct port_driver *d)
{
	for (size_t i = 0; d->keys[i].key != NULL; i++)
		if (d->keys[i].type == DRIVER_PATH && json_object_get(obj, d->keys[i].key) != NULL)
			return d->keys[i].key;
	return json_object_get(obj, "devargs") != NULL ? "devargs" : NULL;
}

/*
 * A document from an API client may keep a running port that names files as it is (a dump
 * loaded back), but neither make nor change one: the daemon would open, as root, paths the
 * client chose. Checked before the driver's parse, which may look at them.
 */
static int check_client_files(struct cfg_ctx *ctx, const json_t *obj, const struct port_conf *c)
{
	const char *key = file_key(obj, c->driver);
	const struct iface *iface;
	const struct port_conf *now;
	json_t *args;
	bool same;

	if (key == NULL || !cfg_doc_from_client(ctx->doc))
		return 0;
	iface = iface_by_name(c->name);
	now = iface ? port_conf_of(iface) : NULL;
	if (now != NULL && now->driver == c->driver &&
		strcmp(now->extra_devargs, c->extra_devargs) == 0) {
		args = driver_args_of(obj, c->driver);
		same = json_equal(args, now->driver_args);
		json_decref(args);
		if (same)
			return 0;
	}
	return cfg_err_key(ctx, key, EPERM,
		"a port whose '%s' names files for its driver comes from fastpathd's own config "
		"file only (fastpathd -c, SIGHUP): fastpathd opens no path an API client names",
		key);
}

static int port_parse(struct cfg_ctx *ctx, const json_t *obj, void *elem)
{
	struct port_conf *c = elem;
	const char *name, *driver, *extra;
	struct fp_mac mac;
	int ret;

	*c = (struct port_conf){
		.mtu = 1500, .rxqs = 1, .rx_ring = 1024, .tx_ring = 1024, .up = true};
	if ((ret = cfg_get_string(ctx, obj, "name", true, &name)) < 0)
		return ret;
	cfg_push_key(ctx, "name");
	if (strlen(name) == 0 || strlen(name) >= FP_IFACE_NAMESIZE)
		ret = cfg_err(
			ctx, EINVAL, "a port name has 1 to %d characters", FP_IFACE_NAMESIZE - 1);
	else
		ret = cfg_declare(ctx, "iface", name);
	cfg_pop(ctx);
	if (ret < 0)
		return ret;
	snprintf(c->name, sizeof(c->name), "%s", name);
	if ((ret = cfg_get_string(ctx, obj, "driver", true, &driver)) < 0)
		return ret;
	c->driver = port_driver_find(driver);
	if (c->driver == NULL) {
		cfg_push_key(ctx, "driver");
		ret = cfg_err(ctx, EINVAL,
			"unknown port driver '%s' (af_packet, af_xdp, tap, memif, pcap, null, pci)",
			driver);
		cfg_pop(ctx);
		return ret;
	}
	if ((ret = check_keys(ctx, obj, c->driver)) < 0 ||
		(ret = parse_u16(ctx, obj, "mtu", 68, 9600, &c->mtu)) < 0 ||
		(ret = parse_u16(ctx, obj, "rxqs", 1, 128, &c->rxqs)) < 0 ||
		(ret = parse_u16(ctx, obj, "rx_ring", 64, 32768, &c->rx_ring)) < 0 ||
		(ret = parse_u16(ctx, obj, "tx_ring", 64, 32768, &c->tx_ring)) < 0 ||
		(ret = cfg_get_bool(ctx, obj, "promisc", false, &c->promisc)) < 0 ||
		(ret = cfg_get_bool(ctx, obj, "up", false, &c->up)) < 0)
		return ret;
	if ((ret = cfg_get_mac(ctx, obj, "mac", false, &mac)) < 0)
		return ret;
	if (ret > 0) {
		c->mac_set = true;
		memcpy(&c->mac, mac.bytes, sizeof(mac.bytes));
	}
	if ((ret = cfg_get_string(ctx, obj, "devargs", false, &extra)) < 0)
		return ret;
	if (ret > 0)
		snprintf(c->extra_devargs, sizeof(c->extra_devargs), "%s", extra);
	if ((ret = check_client_files(ctx, obj, c)) < 0 ||
		(ret = c->driver->parse(ctx, obj, c)) < 0)
		return ret;
	c->driver_args = driver_args_of(obj, c->driver);
	return 0;
}

static int ports_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	return cfg_parse_array(
		ctx, value, sizeof(struct port_conf), port_parse, port_conf_free, parsed);
}

static bool same_port(const struct port_conf *a, const struct port_conf *b)
{
	return a->driver == b->driver && strcmp(a->devargs, b->devargs) == 0 &&
	       strcmp(a->extra_devargs, b->extra_devargs) == 0 && a->mtu == b->mtu &&
	       a->mac_set == b->mac_set &&
	       (!a->mac_set || rte_is_same_ether_addr(&a->mac, &b->mac)) && a->rxqs == b->rxqs &&
	       a->rx_ring == b->rx_ring && a->tx_ring == b->tx_ring && a->promisc == b->promisc;
}

static const struct port_conf *find_conf(const struct cfg_array *ports, const char *name)
{
	for (size_t i = 0; i < ports->n; i++) {
		const struct port_conf *c = cfg_array_at(ports, i);

		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

/*
 * The running ports become those of the document: removed, changed and new ones; set up or
 * down as it says, in place (up is not a change that recreates a port).
 */
static int ports_apply(void *parsed)
{
	const struct cfg_array *ports = parsed;
	struct iface *iface;
	int ret;

	for (unsigned int i = 0; i < FP_MAX_IFACES; i++) {
		const struct port_conf *now, *want;

		iface = fp_ifaces[i];
		if (iface == NULL || (now = port_conf_of(iface)) == NULL)
			continue;
		want = find_conf(ports, iface->name);
		if (want == NULL || !same_port(now, want))
			port_destroy(iface);
	}
	for (size_t i = 0; i < ports->n; i++) {
		const struct port_conf *c = cfg_array_at(ports, i);

		if ((iface = iface_by_name(c->name)) == NULL && (ret = port_create(c, &iface)) < 0)
			return ret;
		if (iface->admin_up != c->up && (ret = port_set_admin(iface, c->up)) < 0)
			return ret;
	}
	return 0;
}

static json_t *ports_dump(void)
{
	json_t *ports = json_array();

	for (unsigned int i = 0; i < FP_MAX_IFACES; i++) {
		const struct port_conf *c;
		char mac[FP_MAC_STRLEN];
		json_t *o;

		if (fp_ifaces[i] == NULL || (c = port_conf_of(fp_ifaces[i])) == NULL)
			continue;
		o = json_pack("{s:s, s:s}", "name", c->name, "driver", c->driver->name);
		json_object_update(o, c->driver_args);
		json_object_set_new(o, "mtu", json_integer(c->mtu));
		if (c->mac_set)
			json_object_set_new(o, "mac",
				json_string(fp_mac_fmt((const struct fp_mac *)&c->mac, mac)));
		json_object_set_new(o, "rxqs", json_integer(c->rxqs));
		json_object_set_new(o, "rx_ring", json_integer(c->rx_ring));
		json_object_set_new(o, "tx_ring", json_integer(c->tx_ring));
		json_object_set_new(o, "promisc", json_boolean(c->promisc));
		json_object_set_new(o, "up", json_boolean(c->up));
		if (c->extra_devargs[0])
			json_object_set_new(o, "devargs", json_string(c->extra_devargs));
		json_array_append_new(ports, o);
	}
	return ports;
}

static struct cfg_section ports_section = {
	.key = "ports",
	.order = 10,
	.parse = ports_parse,
	.apply = ports_apply,
	.free = cfg_array_free,
	.dump = ports_dump,
};
CFG_SECTION_REGISTER(ports_section)
