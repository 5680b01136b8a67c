"""The AutoML search space as define-by-run functions over a trial."""

from __future__ import annotations

import numpy as np

from autopipe.schema import Schema
from autopipe.space.models import FAMILIES, available_families
from autopipe.space.pipeline import default_configs, suggest_pipeline
from autopipe.space.preprocessing import output_sources

__all__ = [
    "FAMILIES",
    "available_families",
    "default_configs",
    "selected_features",
    "suggest_pipeline",
]


def selected_features(fitted_pipeline, schema: Schema) -> list[str]:
    """Original column names with at least one encoded column kept by the "select" step."""
    sources = output_sources(fitted_pipeline.named_steps["preprocess"])
    selector = fitted_pipeline.named_steps["select"]
    if selector in (None, "passthrough"):
        keep = np.ones(len(sources), dtype=bool)
    else:
        keep = selector.get_support()
    kept = {src for src, k in zip(sources, keep) if k}
    return [name for name in schema.features if name in kept]
