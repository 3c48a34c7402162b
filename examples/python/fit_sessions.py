"""Fitting logged sessions held in a pandas DataFrame: synthetic sessions
from the preset stand in for real logs, and the fit recovers its rates.

Run: python examples/python/fit_sessions.py
"""

import mosde

model = mosde.Model.preset("code-generation")
sessions = mosde.generate(model, sessions=200, iterations=12, seed=4)  # a DataFrame
print(f"{len(sessions)} rows: {', '.join(sessions.columns)}")

lo_hi = [(0.0, 10.0)] * len(model.objectives)
fitted = mosde.fit(sessions, bounds=lo_hi, bootstrap=100, seed=0)
for s in fitted.report["strategies"]:
    print(f"{s['name']:>6}: rho = {s['rho']:.3f}, one-step R^2 = {s['r2_one_step']:.3f}")

# The fitted model simulates like any other.
again = mosde.simulate(fitted.model, paths=5000, seed=0, engine="cpu")
print("fitted model's hypervolumes:", {s["name"]: round(s["hypervolume"], 3) for s in again.summary["strategies"]})
