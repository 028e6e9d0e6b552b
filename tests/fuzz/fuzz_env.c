/* SPDX-License-Identifier: BSD-3-Clause */
#include "fuzz_env.h"
#include "api/api.h"
#include "config/config.h"
#include "config/config_load.h"
#include "infra/control.h"
#include "base/fp_error.h"
#include "base/module.h"
#include "infra/settings.h"
#include "graph/worker.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

static char runtime_dir[PATH_MAX];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Leaves nothing under /var/run/dpdk; the EAL's memory goes with the process. */
static void remove_runtime_dir(void)
{
	if (runtime_dir[0])
		nftw(runtime_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void __attribute__((noreturn)) fail(const char *what, const char *why)
{
	fprintf(stderr, "fuzz: %s: %s\n", what, why);
	abort();
}

void fuzz_env_start(const char *name, const char *config)
{
	/* two lcores: the control thread's and the worker's, whose graph this thread walks */
	static char prefix[64], prog[64];
	char *argv[] = {prog, "--no-huge", "--no-pci", "--no-shconf", "--file-prefix", prefix, "-m",
		"1024", "--no-telemetry", "--log-level=*:crit", "-l", "0,1", NULL};
	json_t *changes = NULL;

	snprintf(prog, sizeof(prog), "%s", name);
	snprintf(prefix, sizeof(prefix), "%s_%d", name, (int)getpid());
	settings_defaults(&fp_settings);
	fp_settings.mbufs = 4095; /* the pool of the ports' packets, whose use is checked */
	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0)
		fail("EAL init", rte_strerror(rte_errno));
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	atexit(remove_runtime_dir);
	if (control_init() < 0 || workers_init(1, 0) < 0 || fp_modules_init() < 0)
		fail("init", fp_errmsg());
	if (config != NULL && fuzz_config_load(config, &changes) < 0)
		fail("config", fp_errmsg());
	json_decref(changes);
	rte_log_set_global_level(RTE_LOG_CRIT);
}

int fuzz_config_load(const char *text, json_t **changes)
{
	struct cfg_doc *doc;
	int ret = cfg_doc_load_string("<fuzz>", text, &doc);

	return ret < 0 ? ret : config_load(doc, changes);
}

int fuzz_api_call(const char *cmd, json_t *args, json_t **result)
{
	const struct api_command *c = api_command_find(cmd);

	*result = NULL;
	if (c == NULL)
		fail(cmd, "no such API command");
	fp_error_clear();
	return c->fn(args, result);
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		fail("malloc", "out of memory");
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static int text_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The items of a list as sorted texts, in a new array of strings. */
static json_t *sorted_items(const json_t *list)
{
	size_t n = json_array_size(list);
	char **texts = calloc(n + 1, sizeof(*texts));
	json_t *out = json_array();

	for (size_t i = 0; i < n; i++)
		texts[i] = json_dumps(
			json_array_get(list, i), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	qsort(texts, n, sizeof(*texts), text_cmp);
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(out, json_string(texts[i]));
		free(texts[i]);
	}
	free(texts);
	return out;
}

char *fuzz_state_text(void)
{
	json_t *dump = cfg_dump(), *value;
	const char *key;
	char *text;

	if (dump == NULL)
		fail("cfg_dump", "out of memory");
	json_object_foreach (dump, key, value)
		if (json_is_array(value))
			json_object_set_new(dump, key, sorted_items(value));
	text = json_dumps(dump, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(dump);
	return text;
}
