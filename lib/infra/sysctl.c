/* SPDX-License-Identifier: BSD-3-Clause */
#include "sysctl.h"
#include "base/fp_error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int32_t sysctl_iface_values[FP_MAX_IFACES][SYSCTL_IFACE_SLOTS];

static struct sysctl_knob *globals; /* sorted by name */
static struct sysctl_iface_knob *iknobs[SYSCTL_IFACE_SLOTS];
static unsigned int n_iknobs;

/* Per-interface knobs, control thread only: "all", "default", each interface's own. */
static int32_t iall[SYSCTL_IFACE_SLOTS], idflt[SYSCTL_IFACE_SLOTS];
static int32_t iown[FP_MAX_IFACES][SYSCTL_IFACE_SLOTS];
static bool iexplicit[FP_MAX_IFACES][SYSCTL_IFACE_SLOTS];

static void __attribute__((noreturn)) reg_die(const char *name, const char *why)
{
	fprintf(stderr, "fastpath: sysctl '%s': %s\n", name, why);
	abort();
}

static bool name_taken(const char *name)
{
	char buf[SYSCTL_NAME_MAX];

	for (struct sysctl_knob *k = globals; k != NULL; k = k->next)
		if (strcmp(k->name, name) == 0)
			return true;
	for (unsigned int i = 0; i < n_iknobs; i++) {
		snprintf(buf, sizeof(buf), "net.%s.conf.", iknobs[i]->family);
		if (strncmp(name, buf, strlen(buf)) == 0 &&
			strcmp(strrchr(name, '.') + 1, iknobs[i]->name) == 0)
			return true;
	}
	return false;
}

void sysctl_register(struct sysctl_knob *k)
{
	struct sysctl_knob **p = &globals;

	if (strlen(k->name) >= SYSCTL_NAME_MAX || name_taken(k->name))
		reg_die(k->name, "duplicate or too long");
	if ((k->text == NULL) == (k->value == NULL))
		reg_die(k->name, "needs an integer's storage or a text type, not both");
	if (k->text == NULL && (k->min > k->max || k->def < k->min || k->def > k->max))
		reg_die(k->name, "default out of range");
	/* workers may read it before anything is set */
	if (k->text == NULL && *k->value != k->def)
		reg_die(k->name, "its storage must start at the default");
	if (k->text != NULL && (k->text->size % 8 != 0 || (uintptr_t)k->text->value % 8 != 0))
		reg_die(k->name, "a text value is whole 8-aligned words");
	while (*p != NULL && strcmp((*p)->name, k->name) < 0)
		p = &(*p)->next;
	k->next = *p;
	*p = k;
}

static int32_t combine(enum sysctl_combine c, int32_t all, int32_t own)
{
	switch (c) {
	case SYSCTL_OR:
		return all || own;
	case SYSCTL_AND:
		return all && own;
	case SYSCTL_MAX:
		return all > own ? all : own;
	case SYSCTL_MIN:
		return all < own ? all : own;
	case SYSCTL_IFACE_ONLY:
		break;
	}
	return own;
}

/* The effective value of slot on id from the control thread's state, published. */
static void publish(unsigned int slot, uint16_t id)
{
	const struct sysctl_iface_knob *k = iknobs[slot];
	int32_t v = combine(k->combine, iall[slot], iown[id][slot]);

	if (__atomic_load_n(&sysctl_iface_values[id][slot], __ATOMIC_RELAXED) == v)
		return;
	__atomic_store_n(&sysctl_iface_values[id][slot], v, __ATOMIC_RELAXED);
	if (k->apply != NULL && iface_get(id) != NULL)
		k->apply(k, id);
}

/* An interface that goes forgets its values: the next one with its id starts from "default". */
static void sysctl_iface_removing(struct iface *iface)
{
	for (unsigned int slot = 0; slot < n_iknobs; slot++) {
		iexplicit[iface->id][slot] = false;
		iown[iface->id][slot] = idflt[slot];
		publish(slot, iface->id);
	}
}

static struct iface_listener sysctl_listener = {.order = 90, .removing = sysctl_iface_removing};

static int32_t all_default(const struct sysctl_iface_knob *k)
{
	return k->all_def_differs ? k->all_def : k->def;
}

void sysctl_iface_register(struct sysctl_iface_knob *k)
{
	char name[SYSCTL_NAME_MAX];
	unsigned int slot = n_iknobs;

	snprintf(name, sizeof(name), "net.%s.conf.all.%s", k->family, k->name);
	if (strcmp(k->family, "ipv4") != 0 && strcmp(k->family, "ipv6") != 0)
		reg_die(k->name, "family is ipv4 or ipv6");
	if (strchr(k->name, '.') != NULL || name_taken(name))
		reg_die(name, "duplicate, or a dot in the name");
	if (k->min > k->max || k->def < k->min || k->def > k->max || all_default(k) < k->min ||
		all_default(k) > k->max)
		reg_die(name, "default out of range");
	if (slot == SYSCTL_IFACE_SLOTS)
		reg_die(name, "no slot left: raise SYSCTL_IFACE_SLOTS");
	if (slot == 0)
		iface_listener_register(&sysctl_listener);
	k->slot = slot;
	iknobs[n_iknobs++] = k;
	iall[slot] = all_default(k);
	idflt[slot] = k->def;
	for (unsigned int id = 0; id < FP_MAX_IFACES; id++) {
		iown[id][slot] = k->def;
		sysctl_iface_values[id][slot] = combine(k->combine, all_default(k), k->def);
	}
}

/* Resolution */

int sysctl_resolve(const char *name, bool check_iface, struct sysctl_ref *ref)
{
	char prefix[SYSCTL_NAME_MAX];
	const char *last = strrchr(name, '.'), *which;
	size_t plen, wlen;

	*ref = (struct sysctl_ref){0};
	for (struct sysctl_knob *k = globals; k != NULL; k = k->next)
		if (strcmp(k->name, name) == 0) {
			ref->global = k;
			return 0;
		}
	for (unsigned int i = 0; last != NULL && i < n_iknobs; i++) {
		struct sysctl_iface_knob *k = iknobs[i];

		plen = (size_t)snprintf(prefix, sizeof(prefix), "net.%s.conf.", k->family);
		if (strncmp(name, prefix, plen) != 0 || strcmp(last + 1, k->name) != 0 ||
			last <= name + plen)
			continue;
		which = name + plen;
		wlen = (size_t)(last - which);
		ref->iface_knob = k;
		if (wlen == 3 && strncmp(which, "all", 3) == 0) {
			ref->which = SYSCTL_WHICH_ALL;
			return 0;
		}
		if (wlen == 7 && strncmp(which, "default", 7) == 0) {
			ref->which = SYSCTL_WHICH_DEFAULT;
			return 0;
		}
		ref->which = SYSCTL_WHICH_IFACE;
		if (wlen >= sizeof(ref->iface))
			return fp_error(ENODEV, "no interface '%.*s'", (int)wlen, which);
		memcpy(ref->iface, which, wlen);
		ref->iface[wlen] = '\0';
		if (check_iface && iface_by_name(ref->iface) == NULL)
			return fp_error(ENODEV, "no interface '%s'", ref->iface);
		return 0;
	}
	return fp_error(ENOENT, "unknown name '%s'", name);
}

const char *sysctl_name(const struct sysctl_ref *ref, char *buf)
{
	const struct sysctl_iface_knob *k = ref->iface_knob;

	if (ref->global != NULL)
		snprintf(buf, SYSCTL_NAME_MAX, "%s", ref->global->name);
	else
		snprintf(buf, SYSCTL_NAME_MAX, "net.%s.conf.%s.%s", k->family,
			ref->which == SYSCTL_WHICH_ALL	     ? "all"
			: ref->which == SYSCTL_WHICH_DEFAULT ? "default"
							     : ref->iface,
			k->name);
	return buf;
}

const char *sysctl_value_fmt(const struct sysctl_value *v, char *buf)
{
	if (v->is_text)
		snprintf(buf, SYSCTL_TEXT_MAX, "%s", v->text);
	else
		snprintf(buf, SYSCTL_TEXT_MAX, "%d", v->i);
	return buf;
}

/* Values */

int sysctl_text_canonical(const struct sysctl_text *t, const char *text, char *buf)
{
	uint64_t tmp[t->size / 8];
	int ret = t->parse(text, tmp);

	if (ret == 0)
		t->format(tmp, buf);
	return ret;
}

static int32_t range_min(const struct sysctl_ref *ref)
{
	return ref->global != NULL ? ref->global->min : ref->iface_knob->min;
}

static int32_t range_max(const struct sysctl_ref *ref)
{
	return ref->global != NULL ? ref->global->max : ref->iface_knob->max;
}

int sysctl_check(const struct sysctl_ref *ref, const struct sysctl_value *v)
{
	const struct sysctl_text *t = ref->global != NULL ? ref->global->text : NULL;
	char name[SYSCTL_NAME_MAX], buf[SYSCTL_TEXT_MAX];

	sysctl_name(ref, name);
	if (t != NULL) {
		if (!v->is_text)
			return fp_error(EINVAL, "%s takes a text value (as \"%s\")", name, t->def);
		return sysctl_text_canonical(t, v->text, buf) < 0
			       ? fp_error_prefix(-EINVAL, "%s: ", name)
			       : 0;
	}
	if (v->is_text)
		return fp_error(EINVAL, "%s takes an integer", name);
	if (v->i < range_min(ref) || v->i > range_max(ref))
		return fp_error(ERANGE, "%s: %d is out of range [%d, %d]", name, v->i,
			range_min(ref), range_max(ref));
	return 0;
}

static uint16_t ref_iface_id(const struct sysctl_ref *ref)
{
	const struct iface *ifc = iface_by_name(ref->iface);

	return ifc != NULL ? ifc->id : FP_IFACE_NONE;
}

int sysctl_get(const struct sysctl_ref *ref, struct sysctl_value *v)
{
	const struct sysctl_knob *g = ref->global;
	unsigned int slot;
	uint16_t id;

	*v = (struct sysctl_value){0};
	if (g != NULL) {
		v->is_text = g->text != NULL;
		if (v->is_text)
			g->text->format(g->text->value, v->text);
		else
			v->i = sysctl_read(g->value);
		return 0;
	}
	slot = ref->iface_knob->slot;
	if (ref->which == SYSCTL_WHICH_ALL)
		v->i = iall[slot];
	else if (ref->which == SYSCTL_WHICH_DEFAULT)
		v->i = idflt[slot];
	else if ((id = ref_iface_id(ref)) == FP_IFACE_NONE)
		return fp_error(ENODEV, "no interface '%s'", ref->iface);
	else
		v->i = iown[id][slot];
	return 0;
}

bool sysctl_is_set(const struct sysctl_ref *ref)
{
	struct sysctl_value v, def;
	uint16_t id;

	if (ref->global == NULL && ref->which == SYSCTL_WHICH_IFACE)
		return (id = ref_iface_id(ref)) != FP_IFACE_NONE &&
		       iexplicit[id][ref->iface_knob->slot];
	if (sysctl_get(ref, &v) < 0)
		return false;
	sysctl_default(ref, &def);
	return v.is_text ? strcmp(v.text, def.text) != 0 : v.i != def.i;
}

void sysctl_default(const struct sysctl_ref *ref, struct sysctl_value *v)
{
	const struct sysctl_knob *g = ref->global;

	*v = (struct sysctl_value){0};
	if (g != NULL && g->text != NULL) {
		v->is_text = true;
		sysctl_text_canonical(g->text, g->text->def, v->text);
	} else {
		v->i = g != NULL			? g->def
		       : ref->which == SYSCTL_WHICH_ALL ? all_default(ref->iface_knob)
							: ref->iface_knob->def;
	}
}

/* A global knob to v (checked): its storage written only if it changes. */
static void global_store(struct sysctl_knob *k, const struct sysctl_value *v)
{
	const struct sysctl_text *t = k->text;

	if (t == NULL) {
		if (sysctl_read(k->value) == v->i)
			return;
		__atomic_store_n(k->value, v->i, __ATOMIC_RELAXED);
	} else {
		uint64_t tmp[t->size / 8], *dst = t->value;

		t->parse(v->text, tmp);
		if (memcmp(tmp, dst, t->size) == 0)
			return;
		/* word by word: a worker reads one word at a time */
		for (size_t i = 0; i < t->size / 8; i++)
			__atomic_store_n(&dst[i], tmp[i], __ATOMIC_RELAXED);
	}
	if (k->apply != NULL)
		k->apply(k);
}

/* "all" of slot to v: every interface's effective value follows. */
static void all_store(unsigned int slot, int32_t v)
{
	iall[slot] = v;
	for (uint16_t id = 0; id < FP_MAX_IFACES; id++)
		publish(slot, id);
}

/* "default" of slot to v: every interface never set explicitly follows (and future ones). */
static void default_store(unsigned int slot, int32_t v)
{
	idflt[slot] = v;
	for (uint16_t id = 0; id < FP_MAX_IFACES; id++)
		if (!iexplicit[id][slot]) {
			iown[id][slot] = v;
			publish(slot, id);
		}
}

static void own_store(unsigned int slot, uint16_t id, int32_t v)
{
	iexplicit[id][slot] = true;
	iown[id][slot] = v;
	publish(slot, id);
}

int sysctl_set(const struct sysctl_ref *ref, const struct sysctl_value *v)
{
	unsigned int slot;
	uint16_t id = FP_IFACE_NONE;
	int ret;

	if ((ret = sysctl_check(ref, v)) < 0)
		return ret;
	if (ref->global != NULL) {
		global_store(ref->global, v);
		return 0;
	}
	slot = ref->iface_knob->slot;
	if (ref->which == SYSCTL_WHICH_IFACE && (id = ref_iface_id(ref)) == FP_IFACE_NONE)
		return fp_error(ENODEV, "no interface '%s'", ref->iface);
	if (ref->which == SYSCTL_WHICH_ALL)
		all_store(slot, v->i);
	else if (ref->which == SYSCTL_WHICH_DEFAULT)
		default_store(slot, v->i);
	else
		own_store(slot, id, v->i);
	return 0;
}

/* The value refs give for the same name as ref, or NULL. */
static const struct sysctl_value *find_value(const struct sysctl_ref *refs,
	const struct sysctl_value *values, size_t n, const struct sysctl_ref *ref)
{
	for (size_t i = 0; i < n; i++)
		if (refs[i].global == ref->global && refs[i].iface_knob == ref->iface_knob &&
			refs[i].which == ref->which &&
			(ref->which != SYSCTL_WHICH_IFACE ||
				strcmp(refs[i].iface, ref->iface) == 0))
			return &values[i];
	return NULL;
}

int sysctl_apply_all(const struct sysctl_ref *refs, const struct sysctl_value *values, size_t n)
{
	struct sysctl_value def;
	int ret;

	for (size_t i = 0; i < n; i++) {
		if ((ret = sysctl_check(&refs[i], &values[i])) < 0)
			return ret;
		if (refs[i].global == NULL && refs[i].which == SYSCTL_WHICH_IFACE &&
			ref_iface_id(&refs[i]) == FP_IFACE_NONE)
			return fp_error(ENODEV, "no interface '%s'", refs[i].iface);
	}
	for (struct sysctl_knob *k = globals; k != NULL; k = k->next) {
		struct sysctl_ref ref = {.global = k};
		const struct sysctl_value *v = find_value(refs, values, n, &ref);

		sysctl_default(&ref, &def);
		global_store(k, v != NULL ? v : &def);
	}
	for (unsigned int slot = 0; slot < n_iknobs; slot++) {
		struct sysctl_ref ref = {.iface_knob = iknobs[slot], .which = SYSCTL_WHICH_ALL};
		const struct sysctl_value *all = find_value(refs, values, n, &ref), *dflt, *own;
		int32_t dv;

		ref.which = SYSCTL_WHICH_DEFAULT;
		dflt = find_value(refs, values, n, &ref);
		dv = dflt != NULL ? dflt->i : iknobs[slot]->def;
		/* every interface's own value first, then "all": no mix of old and new */
		idflt[slot] = dv;
		ref.which = SYSCTL_WHICH_IFACE;
		for (uint16_t id = 0; id < FP_MAX_IFACES; id++) {
			const struct iface *ifc = iface_get(id);

			own = NULL;
			if (ifc != NULL) {
				snprintf(ref.iface, sizeof(ref.iface), "%s", ifc->name);
				own = find_value(refs, values, n, &ref);
			}
			iexplicit[id][slot] = own != NULL;
			iown[id][slot] = own != NULL ? own->i : dv;
		}
		iall[slot] = all != NULL ? all->i : all_default(iknobs[slot]);
		for (uint16_t id = 0; id < FP_MAX_IFACES; id++)
			publish(slot, id);
	}
	return 0;
}

/* Walk */

static int walk_iface_knob(struct sysctl_iface_knob *k,
	int (*fn)(const char *name, const struct sysctl_ref *ref, void *arg), void *arg)
{
	struct sysctl_ref ref = {.iface_knob = k};
	const char *names[FP_MAX_IFACES + 2];
	size_t n = 0;
	char full[SYSCTL_NAME_MAX];
	int ret;

	/* as sysctl -a sorts: all, default and the interfaces, by name */
	names[n++] = "all";
	names[n++] = "default";
	for (uint16_t id = 0; id < FP_MAX_IFACES; id++)
		if (iface_get(id) != NULL)
			names[n++] = iface_get(id)->name;
	for (size_t i = 0; i < n; i++) {
		ref.which = i == 0   ? SYSCTL_WHICH_ALL
			    : i == 1 ? SYSCTL_WHICH_DEFAULT
				     : SYSCTL_WHICH_IFACE;
		snprintf(ref.iface, sizeof(ref.iface), "%s", i >= 2 ? names[i] : "");
		if ((ret = fn(sysctl_name(&ref, full), &ref, arg)) != 0)
			return ret;
	}
	return 0;
}

/* Orders names as sysctl -a prints them: by name. */
struct walk_item {
	char name[SYSCTL_NAME_MAX];
	struct sysctl_ref ref;
};

struct walk_list {
	struct walk_item *v;
	size_t n, cap;
};

static int collect(const char *name, const struct sysctl_ref *ref, void *arg)
{
	struct walk_list *c = arg;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct walk_item *v = reallocarray(c->v, cap, sizeof(*v));

		if (v == NULL)
			return fp_error(ENOMEM, "out of memory");
		c->v = v;
		c->cap = cap;
	}
	snprintf(c->v[c->n].name, SYSCTL_NAME_MAX, "%s", name);
	c->v[c->n++].ref = *ref;
	return 0;
}

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct walk_item *)a)->name, ((const struct walk_item *)b)->name);
}

int sysctl_walk(int (*fn)(const char *name, const struct sysctl_ref *ref, void *arg), void *arg)
{
	struct walk_list c = {0};
	int ret = 0;

	for (struct sysctl_knob *k = globals; ret == 0 && k != NULL; k = k->next) {
		struct sysctl_ref ref = {.global = k};

		ret = collect(k->name, &ref, &c);
	}
	for (unsigned int i = 0; ret == 0 && i < n_iknobs; i++)
		ret = walk_iface_knob(iknobs[i], collect, &c);
	if (ret == 0 && c.n > 0)
		qsort(c.v, c.n, sizeof(*c.v), item_cmp);
	for (size_t i = 0; ret == 0 && i < c.n; i++)
		ret = fn(c.v[i].name, &c.v[i].ref, arg);
	free(c.v);
	return ret;
}
