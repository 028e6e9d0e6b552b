/* SPDX-License-Identifier: BSD-3-Clause */
/* The config document's API: config.dump writes it, config.load applies a file the client passes.
 */
#include "api/api.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "config/config.h"
#include "config/config_load.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int api_config_dump(const json_t *args, json_t **result)
{
	(void)args;
	*result = json_pack("{s:o}", "config", cfg_dump());
	return 0;
}

/* The document is the file passed with the request, read with the client's rights. */
static int api_config_load(const json_t *args, json_t **result)
{
	char name[PATH_MAX];
	struct cfg_doc *doc;
	int fd, ret;

	(void)args;
	fd = api_take_file(false, name, sizeof(name));
	if (fd < 0)
		return fd;
	ret = cfg_doc_load_fd(fd, name, &doc);
	close(fd);
	if (ret < 0)
		return ret;
	cfg_doc_set_from_client(doc);
	return config_load(doc, result);
}

API_COMMAND(config_dump_cmd, "config.dump", "the running state as a config document",
	api_config_dump, API_NO_ARGS)
API_COMMAND(config_load_cmd, "config.load",
	"apply the config document passed with the request, all or nothing, and report what "
	"changed",
	api_config_load, API_NO_ARGS)
