#!/usr/bin/python3
"""The chart of make bench's Mpps table: grouped bars, one group per case, one bar per app,
the median with the min-max as an error bar.

usage: chart.py DATA.tsv OUT.png TITLE
DATA.tsv: lines "case<TAB>app<TAB>median<TAB>min<TAB>max", cases and apps in the order in
which they are drawn; an app that cannot run a case has "-" as its median.
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)

rows = list(csv.reader(open(sys.argv[1]), delimiter="\t"))
cases = list(dict.fromkeys(r[0] for r in rows))
apps = list(dict.fromkeys(r[1] for r in rows))
values = {(r[0], r[1]): r[2:] for r in rows}
width = 0.8 / len(apps)
fig, ax = plt.subplots(figsize=(2.4 * len(cases) + 2, 5))
for k, app in enumerate(apps):
	xs, ys, lo, hi = [], [], [], []
	for i, case in enumerate(cases):
		v = values.get((case, app))
		x = i - 0.4 + width * (k + 0.5)
		if v is None or v[0] == "-":
			ax.annotate("n/a", (x, 0), xytext=(0, 3), textcoords="offset points", ha="center",
				va="bottom", fontsize=7, rotation=90)
			continue
		median, low, high = map(float, v)
		xs.append(x)
		ys.append(median)
		lo.append(median - low)
		hi.append(high - median)
	bars = ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, label=app)
	ax.bar_label(bars, fmt="%.1f", fontsize=7, padding=2)
ax.set_xticks(range(len(cases)), cases)
ax.set_ylabel("Mpps (median, min-max)")
ax.set_title(sys.argv[3], fontsize=9)
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=100)
