"""Shared fixtures: the shipped datasets, small enough slices of them for fast tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"


def load_dataset(name: str, n_rows: int | None = None, seed: int = 0) -> pd.DataFrame:
    df = pd.read_csv(DATASETS / f"{name}.csv")
    if n_rows is not None and len(df) > n_rows:
        df = df.sample(n_rows, random_state=seed).reset_index(drop=True)
    return df


@pytest.fixture(scope="session")
def breast_cancer() -> pd.DataFrame:
    return load_dataset("breast_cancer", 300)


@pytest.fixture(scope="session")
def penguins() -> pd.DataFrame:
    return load_dataset("penguins")


@pytest.fixture(scope="session")
def diabetes() -> pd.DataFrame:
    return load_dataset("diabetes")
