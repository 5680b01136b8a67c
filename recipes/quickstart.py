"""One call: search pipelines for a table, look at the result, save it, load it back.

Run from the repository root:  python recipes/quickstart.py
"""

from pathlib import Path

import pandas as pd

import autopipe

HERE = Path(__file__).resolve().parent
df = pd.read_csv(HERE.parent / "datasets" / "penguins.csv")
train, new = df.iloc[:300], df.iloc[300:].drop(columns=["species"])

model = autopipe.fit(train, target="species", time_budget=20, seed=0)

print(f"best CV {model.metric_.name}: {model.cv_score_:.4f}")
print(model.leaderboard()[["trial", "state", "score", "family"]].head(5).to_string(index=False))
print(model.predict(new)[:5])

model.save(HERE.parent / "runs" / "quickstart")
again = autopipe.load(HERE.parent / "runs" / "quickstart")
assert (again.predict(new) == model.predict(new)).all()
print("saved and reloaded: predictions identical")
