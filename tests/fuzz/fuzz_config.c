/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arbitrary documents into the config loader as config.load and SIGHUP run it: parsed with
 * positions, validated, then applied all or nothing over a daemon with interfaces, addresses,
 * routes and neighbours. Checked: a load that fails leaves the running state as it was, and
 * the base document loads back after a load that succeeds, to the same state.
 *
 * Documents that would reach outside the process are validated but not applied: ports of
 * another driver than null (TAPs, af_packet on host interfaces, pcap files, memif sockets),
 * twins or the netlink mirror enabled, an OpenMetrics listener.
 */
#include "config/config.h"
#include "config/config_load.h"
#include "fuzz_env.h"
#include "base/fp_error.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char base[] =
	"{"
	"\"twins\": {\"enabled\": false},"
	"\"netlink\": {\"enabled\": false},"
	"\"telemetry\": {},"
	"\"ports\": ["
	" {\"name\": \"p0\", \"driver\": \"null\", \"no_rx\": true},"
	" {\"name\": \"p1\", \"driver\": \"null\", \"no_rx\": true, \"mtu\": 9000}],"
	"\"addresses\": ["
	" {\"iface\": \"p0\", \"address\": \"192.0.2.1/24\"},"
	" {\"iface\": \"p0\", \"address\": \"2001:db8::1/64\"},"
	" {\"iface\": \"p1\", \"address\": \"198.51.100.1/24\"}],"
	"\"routes\": ["
	" {\"prefix\": \"10.1.0.0/16\", \"via\": [\"192.0.2.2\", \"198.51.100.2\"]},"
	" {\"prefix\": \"2001:db8:10::/48\", \"via\": \"2001:db8::2\"},"
	" {\"prefix\": \"10.66.0.0/16\", \"type\": \"blackhole\"}],"
	"\"fib\": {\"ipv6_max_routes\": 1024},"
	"\"neighbours\": ["
	" {\"iface\": \"p0\", \"address\": \"192.0.2.3\", \"mac\": \"02:00:00:00:01:03\"}],"
	"\"router_advertisements\": [{\"iface\": \"p0\", \"interval\": 200}]"
	"}";

static char *base_state;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env_start("fuzz_config", base);
	base_state = fuzz_state_text();
	return 0;
}

static bool enabled(const json_t *root, const char *section)
{
	return json_is_true(json_object_get(json_object_get(root, section), "enabled"));
}

/* Whether applying the document stays within the process (see above). */
static bool applicable(const json_t *root)
{
	const json_t *port;
	size_t i;

	/* a twins section without "enabled" turns them on */
	if ((json_object_get(root, "twins") != NULL &&
		    !json_is_false(json_object_get(json_object_get(root, "twins"), "enabled"))) ||
		enabled(root, "netlink") ||
		json_object_get(json_object_get(root, "telemetry"), "openmetrics") != NULL)
		return false;
	json_array_foreach (json_object_get(root, "ports"), i, port) {
		const char *driver = json_string_value(json_object_get(port, "driver"));

		if (driver == NULL || strcmp(driver, "null") != 0)
			return false;
	}
	return true;
}

static void __attribute__((noreturn)) fail(const char *what, const char *text)
{
	fprintf(stderr, "fuzz_config: %s\n%s\n", what, text);
	abort();
}

/* Aborts unless the running state is expected. */
static void check_state(const char *expected, const char *what)
{
	char *now = fuzz_state_text();

	if (strcmp(now, expected) != 0) {
		fprintf(stderr, "fuzz_config: %s\nexpected: %s\nnow:      %s\n", what, expected,
			now);
		abort();
	}
	free(now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), *before;
	struct cfg_parsed *parsed = NULL;
	json_t *changes = NULL;
	struct cfg_doc *doc;
	bool apply;
	int ret;

	if (cfg_doc_load_string("<fuzz>", text, &doc) < 0)
		goto out;
	ret = cfg_parse_doc(doc, &parsed);
	apply = ret == 0 && applicable(cfg_doc_root(doc));
	cfg_parsed_free(parsed);
	cfg_doc_free(doc);
	if (!apply)
		goto out;
	before = fuzz_state_text();
	ret = fuzz_config_load(text, &changes);
	json_decref(changes);
	changes = NULL;
	if (ret < 0) {
		check_state(before, "a failed load changed the running state");
	} else if (fuzz_config_load(base, &changes) < 0) {
		fail("the base document does not load back:", fp_errmsg());
	} else {
		check_state(base_state, "the base document loaded back to another state");
	}
	json_decref(changes);
	free(before);
out:
	free(text);
	return 0;
}
