/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iface.h"

/*
 * Knobs named and meant as Linux's sysctls (docs/sysctl.md), set in the config's "sysctl"
 * section, with sysctl.set and `fastpathctl sysctl -w`. Each subsystem registers its own by
 * constructor. The control thread writes them; workers read them with one relaxed load, so a
 * change takes effect with the next packet.
 *
 * Global knobs, full name "net.ipv4.icmp_ratelimit": an int32_t with a range and a default,
 * or a text type (net.ipv6.icmp.ratemask "0-1,3-127") with its own parse and format:
 *
 *	static SYSCTL_INT(icmp4_ratelimit, "net.ipv4.icmp_ratelimit", 0, INT32_MAX, 1000,
 *		"ms between two ICMP errors to one host, after a burst of 6")
 *	worker:	 uint32_t tmo = sysctl_read(&icmp4_ratelimit);
 *
 * or, spelt out (a text knob, an apply callback):
 *
 *	static struct sysctl_knob icmp6_ratemask_knob = {
 *		.name = "net.ipv6.icmp.ratemask", .help = "...", .text = &ratemask6_type,
 *	};
 *	SYSCTL_GLOBAL_REGISTER(icmp6_ratemask_knob)
 *
 * The storage's initial value must be the default (workers may run before the registry
 * touches it).
 *
 * Per-interface knobs, per family, registered by their short name, exist as
 * net.<family>.conf.all.NAME, net.<family>.conf.default.NAME and net.<family>.conf.IFACE.NAME
 * for every fastpath interface (a port and its kernel twin share the name). As Linux:
 * - "default" is what an interface has until its own value is set: setting "default" changes
 *   every interface whose value was never set explicitly (devinet_copy_dflt_conf()) and is
 *   what interfaces created later get; an interface removed forgets its value.
 * - the value a packet sees is the interface's combined with "all" by the knob's rule,
 *   Linux's IN_DEV_* macros: SYSCTL_IFACE_ONLY (IN_DEV_CONF_GET, "all" unused), SYSCTL_OR
 *   (IN_DEV_ORCONF: all || iface, 0 or 1), SYSCTL_AND (IN_DEV_ANDCONF: all && iface, 0 or 1),
 *   SYSCTL_MAX (IN_DEV_MAXCONF: max(all, iface)); and SYSCTL_MIN (min(all, iface)), as IPv6
 *   reads accept_source_route.
 * That effective value is computed on every change, for every interface, into
 * sysctl_iface_values[iface id][knob's slot]: a worker reads it in one load.
 *
 *	static struct sysctl_iface_knob rp_filter_knob = {
 *		.family = "ipv4", .name = "rp_filter",
 *		.help = "reverse path filter: 0 off, 1 strict, 2 loose",
 *		.min = 0, .max = 2, .def = 0, .combine = SYSCTL_MAX,
 *	};
 *	SYSCTL_IFACE_REGISTER(rp_filter_knob)
 *
 *	worker:	 if (sysctl_iface(priv->iface_in, &rp_filter_knob) == 1) ...
 *		 (or iface_sysctl(iface, &rp_filter_knob) with a struct iface at hand)
 */

#define SYSCTL_NAME_MAX	   96  /* a full name, with its terminating NUL */
#define SYSCTL_TEXT_MAX	   256 /* a text value, formatted, with its terminating NUL */
#define SYSCTL_IFACE_SLOTS 32  /* per-interface knobs, all families together */

/* A text knob's type: its value is size bytes at value, a multiple of 8 bytes, 8-aligned. */
struct sysctl_text {
	void *value;
	size_t size;
	const char *def; /* the default, as text */
	/* text into out (size bytes): 0, or <0 with fp_error saying what is wrong */
	int (*parse)(const char *text, void *out);
	/* the value as Linux prints it, in buf (SYSCTL_TEXT_MAX bytes) */
	void (*format)(const void *value, char *buf);
};

struct sysctl_knob {
	const char *name; /* "net.ipv4.icmp_ratelimit" */
	const char *help; /* one line: what it is and what fastpath does with it */
	/* an integer knob: its range, default and storage (NULL for a text knob) */
	int32_t min, max, def;
	int32_t *value;
	const struct sysctl_text *text; /* a text knob: its type (value is NULL) */
	/* after the value changed, on the control thread; may be NULL */
	void (*apply)(const struct sysctl_knob *k);
	struct sysctl_knob *next; /* registry linkage */
};

enum sysctl_combine {
	SYSCTL_IFACE_ONLY, /* IN_DEV_CONF_GET */
	SYSCTL_OR,	   /* IN_DEV_ORCONF */
	SYSCTL_AND,	   /* IN_DEV_ANDCONF */
	SYSCTL_MAX,	   /* IN_DEV_MAXCONF */
	SYSCTL_MIN,	   /* min(all, iface): IPv6's accept_source_route (ipv6_rthdr_rcv()) */
};

struct sysctl_iface_knob {
	const char *family; /* "ipv4" or "ipv6" */
	const char *name;   /* "rp_filter" */
	const char *help;
	int32_t min, max, def;
	/* "all" starting elsewhere than "default", as Linux's accept_source_route (0 and 1) */
	bool all_def_differs;
	int32_t all_def;
	enum sysctl_combine combine;
	/* after an effective value changed (iface: its id), on the control thread; may be NULL */
	void (*apply)(const struct sysctl_iface_knob *k, uint16_t iface);
	/* set by the registration */
	unsigned int slot;
	struct sysctl_iface_knob *next;
};

/* Aborts on a duplicate name, a bad range or too many knobs: build mistakes. */
void sysctl_register(struct sysctl_knob *k);
void sysctl_iface_register(struct sysctl_iface_knob *k);

#define SYSCTL_GLOBAL_REGISTER(k)                                                                  \
	static void __attribute__((constructor)) sysctl_reg_##k(void)                              \
	{                                                                                          \
		sysctl_register(&k);                                                               \
	}
#define SYSCTL_IFACE_REGISTER(k)                                                                   \
	static void __attribute__((constructor)) sysctl_iface_reg_##k(void)                        \
	{                                                                                          \
		sysctl_iface_register(&k);                                                         \
	}

/*
 * An integer knob and its storage in one: SYSCTL_INT(var, name, min, max, default, help)
 * defines int32_t var = default and registers it; `static SYSCTL_INT(...)` makes var static.
 */
#define SYSCTL_INT(var, name_, min_, max_, def_, help_)                                            \
	int32_t var = def_;                                                                        \
	static struct sysctl_knob var##_knob = {.name = name_,                                     \
		.help = help_,                                                                     \
		.min = min_,                                                                       \
		.max = max_,                                                                       \
		.def = def_,                                                                       \
		.value = &var};                                                                    \
	SYSCTL_GLOBAL_REGISTER(var##_knob)

/* Effective per-interface values: [iface id][slot]. Workers: sysctl_iface(). */
extern int32_t sysctl_iface_values[FP_MAX_IFACES][SYSCTL_IFACE_SLOTS];

static inline int32_t sysctl_read(const int32_t *value)
{
	return __atomic_load_n(value, __ATOMIC_RELAXED);
}

/* The effective value of k on interface iface_id (any id below FP_MAX_IFACES). */
static inline int32_t sysctl_iface(uint16_t iface_id, const struct sysctl_iface_knob *k)
{
	return __atomic_load_n(&sysctl_iface_values[iface_id][k->slot], __ATOMIC_RELAXED);
}

static inline int32_t iface_sysctl(const struct iface *ifc, const struct sysctl_iface_knob *k)
{
	return sysctl_iface(ifc->id, k);
}

/* Control thread: by name, as the config, the API and the CLI name them. */

/* A value: an integer knob's, or a text knob's (text, canonical). */
struct sysctl_value {
	bool is_text;
	int32_t i;
	char text[SYSCTL_TEXT_MAX];
};

/*
 * A name resolved: a global knob, or an interface knob and which of its values: all, default
 * or an interface's (by name: the config names ports that do not exist yet).
 */
enum { SYSCTL_WHICH_ALL = -1, SYSCTL_WHICH_DEFAULT = -2, SYSCTL_WHICH_IFACE = 0 };
struct sysctl_ref {
	struct sysctl_knob *global;
	struct sysctl_iface_knob *iface_knob;
	int which;		       /* SYSCTL_WHICH_* */
	char iface[FP_IFACE_NAMESIZE]; /* SYSCTL_WHICH_IFACE: the interface's name */
};

/*
 * name into ref: 0, or -ENOENT with fp_error "unknown name 'X'". With check_iface, an
 * interface's name must be a running interface's, else -ENODEV "no interface 'p9'" (the
 * config checks its own: its ports may not exist yet).
 */
int sysctl_resolve(const char *name, bool check_iface, struct sysctl_ref *ref);
/* Checks a value for ref (integer range, text syntax): 0 or <0 with fp_error. */
int sysctl_check(const struct sysctl_ref *ref, const struct sysctl_value *v);
/* The value of ref: 0, or -ENODEV when its interface is gone. */
int sysctl_get(const struct sysctl_ref *ref, struct sysctl_value *v);
/* Sets ref's value (checked first): 0 or <0 with fp_error. The interface must exist. */
int sysctl_set(const struct sysctl_ref *ref, const struct sysctl_value *v);
/*
 * Whether ref holds a value of its own: an interface's was set (else it follows "default"); any
 * other differs from its default. What config dump writes.
 */
bool sysctl_is_set(const struct sysctl_ref *ref);
/* The default of ref. */
void sysctl_default(const struct sysctl_ref *ref, struct sysctl_value *v);
/*
 * A whole configuration at once (a config load): every name to its value among refs[i] =
 * values[i], every other one to its default (interfaces' values to "default", not explicit).
 * Only what changes is written: a worker never sees a value that is in neither state. Checked
 * first: 0, or <0 with fp_error and nothing changed.
 */
int sysctl_apply_all(const struct sysctl_ref *refs, const struct sysctl_value *values, size_t n);
/* A text value as its knob formats it (parse, then format): 0 or <0 with fp_error. */
int sysctl_text_canonical(const struct sysctl_text *t, const char *text, char *buf);

/*
 * Every name in sorted order, with fn called for each (full name and ref); stops at fn's
 * first non-zero return and gives it. Interface names are those of the running interfaces.
 */
int sysctl_walk(int (*fn)(const char *name, const struct sysctl_ref *ref, void *arg), void *arg);
/* The full name of ref, in buf (SYSCTL_NAME_MAX bytes). */
const char *sysctl_name(const struct sysctl_ref *ref, char *buf);
/* The value as text ("1000", "0-1,3-127"), in buf (SYSCTL_TEXT_MAX bytes). */
const char *sysctl_value_fmt(const struct sysctl_value *v, char *buf);
