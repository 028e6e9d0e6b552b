/* SPDX-License-Identifier: BSD-3-Clause */
#include "module.h"
#include "fp_error.h"
#include "log.h"

#include <stddef.h>

static struct fp_module *modules; /* sorted by order */
static unsigned int n_initialized;

void fp_module_register(struct fp_module *m)
{
	struct fp_module **p = &modules;

	while (*p != NULL && (*p)->order <= m->order)
		p = &(*p)->next;
	m->next = *p;
	*p = m;
}

int fp_modules_init(void)
{
	for (struct fp_module *m = modules; m != NULL; m = m->next) {
		int ret = m->init ? m->init() : 0;

		if (ret < 0)
			return fp_error_prefix(ret, "%s: ", m->name);
		n_initialized++;
	}
	return 0;
}

void fp_modules_fini(void)
{
	while (n_initialized > 0) {
		struct fp_module *m = modules;

		for (unsigned int i = 1; i < n_initialized; i++)
			m = m->next;
		if (m->fini != NULL)
			m->fini();
		n_initialized--;
	}
}

RTE_LOG_REGISTER(fp_logtype, fastpath, INFO);
