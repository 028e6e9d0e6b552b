/* SPDX-License-Identifier: BSD-3-Clause */
#include "driver.h"
#include "base/fp_error.h"
#include "infra/netdev.h"

#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

static int append(char *buf, size_t size, const char *fmt, const char *a, const char *b)
{
	size_t len = strlen(buf);
	int n = snprintf(buf + len, size - len, fmt, a, b);

	return n < 0 || (size_t)n >= size - len ? -ENAMETOOLONG : 0;
}

int driver_devargs(struct cfg_ctx *ctx, const json_t *obj, struct port_conf *conf, const char *pmd,
	const struct port_driver_key *keys)
{
	char value[256];
	int ret = 0;

	conf->devargs[0] = '\0';
	if (pmd != NULL)
		ret = append(conf->devargs, sizeof(conf->devargs), "%s_%s", pmd, conf->name);
	for (const struct port_driver_key *k = keys; ret == 0 && k->key != NULL; k++) {
		const char *s;
		uint64_t u;
		bool b;
		int found;

		switch (k->type) {
		case DRIVER_STRING:
		case DRIVER_PATH:
			found = cfg_get_string(ctx, obj, k->key, k->required, &s);
			if (found > 0)
				snprintf(value, sizeof(value), "%s", s);
			break;
		case DRIVER_UINT:
			found = cfg_get_uint(ctx, obj, k->key, k->required, 0, UINT32_MAX, &u);
			if (found > 0)
				snprintf(value, sizeof(value), "%" PRIu64, u);
			break;
		case DRIVER_BOOL:
			found = cfg_get_bool(ctx, obj, k->key, k->required, &b);
			if (found > 0)
				snprintf(value, sizeof(value), "%d", b);
			break;
		default:
			found = 0;
		}
		if (found < 0)
			return found;
		if (found == 0)
			continue;
		if (strpbrk(value, ",=") != NULL) {
			cfg_push_key(ctx, k->key);
			ret = cfg_err(ctx, EINVAL, "',' and '=' cannot appear in '%s'", k->key);
			cfg_pop(ctx);
			return ret;
		}
		if (k->devarg == NULL) /* names the device itself */
			ret = append(conf->devargs, sizeof(conf->devargs), "%s%s", value, "");
		else
			ret = append(
				conf->devargs, sizeof(conf->devargs), ",%s=%s", k->devarg, value);
	}
	if (ret < 0)
		return cfg_err(ctx, ENAMETOOLONG, "device arguments too long");
	return 0;
}

const char *driver_netdev(const struct port_conf *conf)
{
	return json_string_value(json_object_get(conf->driver_args, "iface"));
}

bool driver_netdev_running(const struct port_conf *conf)
{
	const char *netdev = driver_netdev(conf);
	struct ifreq ifr = {0};

	if (netdev == NULL)
		return true;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", netdev);
	return netdev_ioctl(SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags & IFF_RUNNING);
}
