"""Quick start: simulate the code-generation preset and plot the mean
trajectory of each objective under each strategy.

Run: python examples/python/quickstart.py [out.png]
"""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import mosde

model = mosde.Model.preset("code-generation")
# engine="auto" (the default) takes a GPU when there is one; small runs
# like this one are quickest on the CPU.
run = mosde.simulate(model, paths=20_000, seed=1, engine="cpu")
moments = run.moments  # exactly moments.csv

fig, axes = plt.subplots(1, len(model.objectives), figsize=(12, 3.5), sharex=True)
for ax, objective in zip(axes, model.objectives):
    for strategy, rows in moments.groupby("strategy", sort=False):
        ax.plot(rows["t"], rows[f"mean_{objective}"], label=strategy)
    ax.set_title(objective)
    ax.set_xlabel("t (iterations)")
axes[0].set_ylabel("mean")
axes[-1].legend(fontsize=8)
fig.tight_layout()
out = sys.argv[1] if len(sys.argv) > 1 else "quickstart.png"
fig.savefig(out, dpi=120)

best = max(run.summary["strategies"], key=lambda s: s["hypervolume"])
print(f"{len(run.strategies)} strategies x 20000 paths; highest hypervolume: {best['name']}; figure -> {out}")
