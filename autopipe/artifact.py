"""The run directory: save a fitted model with everything needed to trust and reuse it.

```
DIR/model.joblib     the fitted pipeline and the estimator's fitted state
DIR/manifest.json    format version, library versions, schema, task, metric, CV score,
                     best params, SHA-256 checksums of the files
DIR/study.db         the search record (SQLite), loadable with autopipe.search.load_study
DIR/leaderboard.csv  every trial
DIR/report.html      the self-contained report (plus summary.json)
```
"""

from __future__ import annotations

import hashlib
import json
import platform
import warnings
from pathlib import Path
from typing import Any

import joblib


from autopipe.exceptions import ArtifactError
from autopipe.schema import Schema

FORMAT_VERSION = 1
MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
STUDY_FILE = "study.db"
LIBRARIES = ("autopipe", "scikit-learn", "lightgbm", "xgboost", "numpy", "scipy", "pandas")


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def summary_of(model) -> dict:
    from autopipe.report import build_summary

    settings = dict(getattr(model, "settings_", {}))
    return build_summary(schema=model.schema_, study=model.study_, metric=model.metric_,
                         best_pipeline=model.best_pipeline_, settings=settings,
                         elapsed_s=float(getattr(model, "fit_time_", 0.0)), versions=library_versions())


def save(model, path, *, overwrite: bool = True) -> Path:
    """Write the run directory for a fitted AutoClassifier / AutoRegressor."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model, "best_pipeline_")
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise ArtifactError(f"{out} exists and is not a directory: choose another path.")
    if (out / MANIFEST_FILE).exists() and not overwrite:
        raise ArtifactError(f"{out} already holds a saved model: pass overwrite=True or choose another path.")
    out.mkdir(parents=True, exist_ok=True)
    state = {
        "estimator": type(model).__name__,
        "params": {k: v for k, v in model.get_params().items() if k != "storage"},
        "pipeline": model.best_pipeline_,
        "fitted": {k: getattr(model, k) for k in _fitted_attrs(model)},
    }
    joblib.dump(state, out / MODEL_FILE)
    _write_study(model.study_, out / STUDY_FILE)
    model.leaderboard().to_csv(out / "leaderboard.csv", index=False)
    summary = summary_of(model)
    from autopipe.report import write_report

    write_report(summary, out / "report.html")
    manifest = {
        "format_version": FORMAT_VERSION,
        "estimator": type(model).__name__,
        "versions": library_versions(),
        "schema": model.schema_.to_dict(),
        "task": model.schema_.task,
        "metric": {"name": model.metric_.name, "direction": model.metric_.direction},
        "cv_score": model.cv_score_,
        "best_params": model.best_params_,
        "best_trial": model.study_.best_trial.number,
        "settings": summary.get("settings", {}),
        "checksums": {MODEL_FILE: _sha256(out / MODEL_FILE)},
    }
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, default=str))
    return out


def load(path):
    """Load a run directory written by ``save`` (or by ``autopipe fit --out``)."""
    from autopipe.api import AutoClassifier, AutoRegressor
    from autopipe.metrics import resolve_metric
    from autopipe.search import load_study

    root = Path(path)
    manifest = read_manifest(root)
    model_file = root / MODEL_FILE
    expected = manifest.get("checksums", {}).get(MODEL_FILE)
    if expected is not None and _sha256(model_file) != expected:
        raise ArtifactError(f"{model_file} does not match the checksum in its manifest: the file was modified "
                            "or corrupted. Refusing to load it; re-save the model from its run.")
    _warn_version_drift(manifest.get("versions", {}))
    state = joblib.load(model_file)
    cls = {"AutoClassifier": AutoClassifier, "AutoRegressor": AutoRegressor}[state["estimator"]]
    model = cls(**state["params"])
    for key, value in state["fitted"].items():
        setattr(model, key, value)
    model.best_pipeline_ = state["pipeline"]
    schema = model.schema_
    model.metric_ = resolve_metric(manifest["metric"]["name"], schema.task, schema.n_classes)
    if (root / STUDY_FILE).exists():
        model.study_ = load_study(storage=f"sqlite:///{(root / STUDY_FILE).resolve()}")
    return model


def read_manifest(root: Path) -> dict[str, Any]:
    if not root.is_dir():
        raise ArtifactError(f"{root} is not a run directory: it does not exist or is not a folder.")
    manifest_file = root / MANIFEST_FILE
    if not manifest_file.exists() or not (root / MODEL_FILE).exists():
        raise ArtifactError(f"{root} is not a complete run directory: {MANIFEST_FILE} or {MODEL_FILE} is missing.")
    try:
        manifest = json.loads(manifest_file.read_text())
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{manifest_file} is not valid JSON ({exc}).") from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(f"{root} has artifact format {manifest.get('format_version')!r}; this autopipe "
                            f"reads format {FORMAT_VERSION}.")
    return manifest


def _fitted_attrs(model) -> list[str]:
    names = ["schema_", "cv_score_", "best_params_", "fit_time_", "settings_", "n_features_in_",
             "feature_names_in_", "classes_", "oof_"]
    return [n for n in names if hasattr(model, n)]


def _write_study(study, target: Path) -> None:
    """Copy the study into DIR/study.db unless it already lives there."""
    from autopipe.search import create_study
    from autopipe.search.storage.rdb import RDBStorage

    storage = study._storage
    if isinstance(storage, RDBStorage) and storage.url.endswith(str(target.resolve())):
        return
    if target.exists():
        target.unlink()
    copy = create_study(direction=study.direction, storage=f"sqlite:///{target.resolve()}",
                        study_name=study.study_name)
    for key, value in study.user_attrs.items():
        copy.set_user_attr(key, value)
    for trial in study.trials:
        copy._storage.create_new_trial(copy._study_id, trial)
    copy._storage.close()


def _warn_version_drift(saved: dict[str, str]) -> None:
    now = library_versions()
    differ = [f"{k} {saved[k]} -> {now.get(k)}" for k in saved if k != "python" and saved[k] != now.get(k)]
    if differ:
        warnings.warn("This model was saved with other library versions: " + "; ".join(differ) +
                      ". Predictions may differ; re-fit under the current versions to be sure.",
                      UserWarning, stacklevel=3)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()



