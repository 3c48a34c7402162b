"""Which interference coefficients matter: Sobol' indices of the AI
strategy's security and efficiency after five iterations (while the
coupling still shapes the path) over three coefficients.

Run: python examples/python/sensitivity.py
"""

import mosde

spec = {
    "model": "code-generation",
    "strategies": ["AI"],
    "paths": 100000,
    "steps": 5,
    "design": "sobol",
    "samples": 32,
    "seed": 1,
    "metrics": ["AI.terminal_mean.security", "AI.terminal_mean.efficiency"],
    "parameters": [
        {"path": "strategies.AI.interference[0][2]", "range": [-0.5, 0.0]},
        {"path": "strategies.AI.interference[1][2]", "range": [-0.5, 0.0]},
        {"path": "strategies.AI.interference[2][0]", "range": [-0.3, 0.3]},
    ],
}

indices = mosde.sensitivity(spec, engine="cpu")  # the rows of sensitivity.csv
top = indices.sort_values("ST", ascending=False).groupby("metric", sort=False).head(1)
for row in top.itertuples():
    print(f"{row.metric}: {row.parameter} matters most "
          f"(S1 = {row.S1:.2f}, ST = {row.ST:.2f} [{row.ST_lo:.2f}, {row.ST_hi:.2f}])")
