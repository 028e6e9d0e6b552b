/* SPDX-License-Identifier: BSD-3-Clause */
#include "trace.h"
#include "base/fp_error.h"
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

struct trace_buf *fp_trace;
static uint16_t trace_gen;

static trace_describe_fn describer;

void trace_set_describe(trace_describe_fn fn)
{
	describer = fn;
}

void trace_record(const struct rte_node *node, void **objs, const rte_edge_t *nexts, uint16_t n)
{
	struct trace_buf *t = __atomic_load_n(&fp_trace, __ATOMIC_ACQUIRE);

	for (uint16_t i = 0; t != NULL && i < n; i++) {
		uint32_t mark = fp_mbuf_priv(objs[i])->trace;
		struct trace_packet *p;
		struct trace_step *s;

		if (mark == 0 || (mark >> 16) != t->gen || (mark & 0xffff) > t->count)
			continue;
		p = &t->packets[(mark & 0xffff) - 1];
		if (p->n_steps == TRACE_MAX_STEPS)
			continue;
		s = &p->steps[p->n_steps];
		snprintf(s->node, sizeof(s->node), "%s", node->name);
		if (describer != NULL)
			describer(s->info, sizeof(s->info), node->name, objs[i],
				node->nodes[nexts[i]]->name);
		else
			snprintf(s->info, sizeof(s->info), "-> %s", node->nodes[nexts[i]]->name);
		/* the control thread may be reading: publish the step complete */
		__atomic_store_n(&p->n_steps, p->n_steps + 1, __ATOMIC_RELEASE);
	}
}

int trace_publish(uint32_t count)
{
	struct trace_buf *t = NULL, *old;

	if (count > 0) {
		t = rte_zmalloc("trace", sizeof(*t) + count * sizeof(struct trace_packet),
			RTE_CACHE_LINE_SIZE);
		if (t == NULL)
			return fp_error(ENOMEM, "trace of %u packets: out of memory", count);
		t->gen = ++trace_gen ? trace_gen : ++trace_gen; /* 0 is no mark */
		t->count = count;
	}
	old = __atomic_exchange_n(&fp_trace, t, __ATOMIC_ACQ_REL);
	fp_rcu_synchronize();
	rte_free(old);
	return 0;
}
