/* SPDX-License-Identifier: BSD-3-Clause */
#include "telemetry.h"
#include "config/config.h"
#include "infra/control.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "base/module.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How often the snapshot read by DPDK's telemetry threads is refreshed. */
#define TEL_REFRESH_MS 500
/* How often OpenMetrics connections past their deadline are closed. */
#define OM_EXPIRE_MS 100

static struct tel_conf running;

static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) ||
		       (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
			       sin6->sin6_addr.s6_addr[12] == 127);
	}
}

/* "ADDRESS:PORT" or "[IPV6]:PORT", at the current path (the "listen" value). */
static int parse_listen(struct cfg_ctx *ctx, const char *text, struct om_listen *l)
{
	static const char usage[] = "must be ADDRESS:PORT, e.g. 127.0.0.1:9464 or [::1]:9464";
	const char *port_text, *sep;
	char host[INET6_ADDRSTRLEN + 1];
	unsigned long port = 0;
	bool v6 = text[0] == '[';
	size_t hlen;

	memset(l, 0, sizeof(*l));
	if (strlen(text) >= sizeof(l->text))
		return cfg_err(ctx, EINVAL, "'%.20s...' %s", text, usage);
	if (v6) {
		sep = strchr(text, ']');
		if (sep == NULL || sep[1] != ':')
			return cfg_err(ctx, EINVAL, "'%s' %s", text, usage);
		text++;
		port_text = sep + 2;
	} else {
		sep = strrchr(text, ':');
		if (sep == NULL)
			return cfg_err(ctx, EINVAL, "'%s' %s", text, usage);
		port_text = sep + 1;
	}
	hlen = sep - text;
	if (hlen >= sizeof(host))
		return cfg_err(ctx, EINVAL, "'%.*s' is not an IP address", (int)hlen, text);
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	for (const char *p = port_text; *p != '\0'; p++)
		port = isdigit((unsigned char)*p) && port <= 65535 ? port * 10 + (*p - '0') : 65536;
	if (port_text[0] == '\0' || port == 0 || port > 65535)
		return cfg_err(ctx, EINVAL, "port '%s' is not a number from 1 to 65535", port_text);
	if (v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&l->addr;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return cfg_err(ctx, EINVAL, "'%s' is not an IPv6 address", host);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		l->addrlen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&l->addr;

		if (strchr(host, ':') != NULL)
			return cfg_err(ctx, EINVAL, "an IPv6 address goes in brackets: [%s]:%lu",
				host, port);
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return cfg_err(ctx, EINVAL,
				"'%s' is not an IPv4 address (host names are not resolved)", host);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		l->addrlen = sizeof(*sin);
	}
	return 0;
}

static int openmetrics_parse(struct cfg_ctx *ctx, const json_t *om, struct om_listen *l)
{
	static const char *const keys[] = {"listen", "allow_remote", NULL};
	bool allow_remote = false;
	const char *text;
	int ret;

	if ((ret = cfg_check_keys(ctx, om, keys)) < 0 ||
		(ret = cfg_get_bool(ctx, om, "allow_remote", false, &allow_remote)) < 0 ||
		(ret = cfg_get_string(ctx, om, "listen", true, &text)) < 0)
		return ret;
	cfg_push_key(ctx, "listen");
	ret = parse_listen(ctx, text, l);
	if (ret == 0 && !allow_remote && !is_loopback(&l->addr))
		ret = cfg_err(ctx, EPERM,
			"%s is not a loopback address: the counters would be served to the "
			"network; add \"allow_remote\": true to allow it",
			text);
	cfg_pop(ctx);
	if (ret < 0)
		return ret;
	l->allow_remote = allow_remote;
	snprintf(l->text, sizeof(l->text), "%s", text);
	return 0;
}

static int telemetry_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	static const char *const keys[] = {"openmetrics", NULL};
	struct tel_conf *conf;
	json_t *om;
	int ret;

	if ((ret = cfg_check_keys(ctx, value, keys)) < 0 ||
		(ret = cfg_get_object(ctx, value, "openmetrics", false, &om)) < 0)
		return ret;
	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		return fp_error(ENOMEM, "out of memory");
	if (ret > 0) {
		cfg_push_key(ctx, "openmetrics");
		ret = openmetrics_parse(ctx, om, &conf->om);
		cfg_pop(ctx);
		if (ret < 0) {
			free(conf);
			return ret;
		}
		conf->openmetrics = true;
	}
	*parsed = conf;
	return 0;
}

/* Also on reload: a changed address is bound before the old one is closed. */
static int telemetry_apply(void *parsed)
{
	const struct tel_conf *conf = parsed;
	int ret = om_server_configure(conf->openmetrics ? &conf->om : NULL);

	if (ret == 0)
		running = *conf;
	return ret;
}

/* {} when off: a rollback to this dump then turns off what a failed load turned on. */
static json_t *telemetry_dump(void)
{
	if (!running.openmetrics)
		return json_object();
	return json_pack("{s:{s:s, s:b}}", "openmetrics", "listen", running.om.text, "allow_remote",
		running.om.allow_remote);
}

static struct cfg_section telemetry_section = {
	.key = "telemetry",
	.order = 90,
	.parse = telemetry_parse,
	.apply = telemetry_apply,
	.free = free,
	.dump = telemetry_dump,
};
CFG_SECTION_REGISTER(telemetry_section)

static int telemetry_init(void)
{
	int ret;

	tel_snapshot_reopen();
	tel_snapshot_refresh(NULL);
	if ((ret = tel_dpdk_register()) < 0 ||
		(ret = control_timer_add(
			 "telemetry snapshot", TEL_REFRESH_MS, tel_snapshot_refresh, NULL)) < 0 ||
		(ret = control_timer_add(
			 "openmetrics timeouts", OM_EXPIRE_MS, om_server_expire, NULL)) < 0)
		return ret;
	return 0;
}

static void telemetry_fini(void)
{
	om_server_fini();
	running.openmetrics = false;
	if (tel_snapshot_close(1000) < 0)
		LOG(WARNING, "%s", fp_errmsg());
}

static struct fp_module telemetry_module = {
	.name = "telemetry",
	.order = 80,
	.init = telemetry_init,
	.fini = telemetry_fini,
};
FP_MODULE_REGISTER(telemetry_module)
