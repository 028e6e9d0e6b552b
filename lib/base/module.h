/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * Subsystems register their start-up and shutdown code here instead of being
 * called from main: init() runs after EAL init, in ascending order, fini() in
 * reverse order. An init failure stops the daemon with its fp_error message.
 */
struct fp_module {
	const char *name;
	int order; /* infra 0-9, eth 10, fib 20, neigh 30, ip4 40, api 90 */
	int (*init)(void);
	void (*fini)(void);
	struct fp_module *next;
};

void fp_module_register(struct fp_module *m);
int fp_modules_init(void);
void fp_modules_fini(void);

#define FP_MODULE_REGISTER(m)                                                                      \
	static void __attribute__((constructor)) fp_module_reg_##m(void)                           \
	{                                                                                          \
		fp_module_register(&m);                                                            \
	}
