#!/usr/bin/env bash
# A command-line session: search, inspect, predict, re-render the report.
# Run from the repository root:  bash recipes/cli_session.sh
set -euo pipefail
autopipe fit datasets/diabetes.csv --target target --time-budget 20 --out runs/diabetes
autopipe show runs/diabetes --top 5
autopipe predict runs/diabetes datasets/diabetes.csv --out runs/diabetes/predictions.csv
autopipe report runs/diabetes
head -3 runs/diabetes/predictions.csv
