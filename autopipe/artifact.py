"""The run directory: save a fitted model with everything needed to trust and reuse it.

```
DIR/model.skops      the fitted pipeline (and ensemble, if one predicts), classes and the
                     out-of-fold record (skops: no pickle)
DIR/manifest.json    format version, model format, library versions, schema, task, metric,
                     CV score, best params, the estimator's settings, SHA-256 checksums
DIR/study.db         the search record (SQLite), loadable with autopipe.search.load_study
DIR/leaderboard.csv  every trial
DIR/report.html      the self-contained report (plus summary.json)
```

Loading never runs code from the file: the skops file may only hold types skops trusts
by default plus ``ALLOWED_TYPES`` (and autopipe's own estimators); anything else is
refused with an ``ArtifactError``. Every file the manifest checksums is verified first.
``study.db`` is not checksummed: it is a live, resumable database that ``autopipe fit``
and ``autopipe resume`` append to, and nothing in it is used to predict.

Format 1 (``model.joblib``, a pickle) still loads, but only with ``trust_pickle=True``:
unpickling runs whatever code the file names, so it is for files from a trusted source.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import platform
import warnings
from pathlib import Path
from typing import Any

from autopipe.exceptions import ArtifactError
from autopipe.schema import Schema

FORMAT_VERSION = 2
READABLE_FORMATS = (1, 2)
MODEL_FILE = "model.skops"
LEGACY_MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
STUDY_FILE = "study.db"
CHECKED_FILES = (MODEL_FILE, "leaderboard.csv", "report.html", "summary.json")
LIBRARIES = ("autopipe", "scikit-learn", "lightgbm", "xgboost", "numpy", "scipy", "pandas", "skops")
FITTED_JSON = ("cv_score_", "best_params_", "fit_time_", "settings_", "n_features_in_")

# Types that skops does not trust by default and that autopipe's pipelines contain.
ALLOWED_TYPES = frozenset({
    "builtins.frozenset", "collections.OrderedDict", "numpy.dtype",
    "numpy.float64", "numpy.float32", "numpy.int64", "numpy.int32", "numpy.bool_", "numpy.str_",
    "sklearn.tree._tree.Tree",
    # splitters kept by TargetEncoder (cross-fitted encoding of high-cardinality columns)
    "sklearn.model_selection._split.KFold", "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.neighbors._kd_tree.KDTree", "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.metrics._dist_metrics.EuclideanDistance64", "sklearn.metrics._dist_metrics.ManhattanDistance64",
    "sklearn.metrics._dist_metrics.MinkowskiDistance64",
    "lightgbm.basic.Booster", "lightgbm.sklearn.LGBMClassifier", "lightgbm.sklearn.LGBMRegressor",
    "xgboost.core.Booster", "xgboost.sklearn.XGBClassifier", "xgboost.sklearn.XGBRegressor",
})


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
    study = model.study_
    command = _cli_command((getattr(study, "user_attrs", None) or {}).get("cli"), settings)
    if command and not settings.get("command"):
        settings["command"] = command
    return build_summary(schema=model.schema_, study=study, metric=model.metric_,
                         best_pipeline=model.best_pipeline_, settings=settings,
                         elapsed_s=float(getattr(model, "fit_time_", 0.0)), versions=library_versions(),
                         oof=getattr(model, "oof_", None))


def _cli_command(recipe: Any, settings: dict) -> str | None:
    """The ``autopipe fit`` command that started the study, when the CLI recorded one."""
    import shlex

    if not isinstance(recipe, dict) or not recipe.get("data"):
        return None
    args = ["autopipe", "fit", str(recipe["data"]), "--target", str(recipe.get("target"))]
    for flag, key in (("--time-budget", "time_budget"), ("--trials", "n_trials")):
        if settings.get(key) is not None:
            args += [flag, str(settings[key])]
    for flag, key in (("--metric", "metric"), ("--cv", "cv"), ("--cv-repeats", "cv_repeats"), ("--seed", "seed"),
                      ("--task", "task"),
                      ("--sep", "sep"), ("--decimal", "decimal"), ("--encoding", "encoding")):
        if recipe.get(key) is not None:
            args += [flag, str(recipe[key])]
    return shlex.join(args)


# -- save ------------------------------------------------------------------------------
def save(model, path, *, overwrite: bool = True) -> Path:
    """Write the run directory for a fitted AutoClassifier / AutoRegressor."""
    from sklearn.utils.validation import check_is_fitted

    from autopipe.report import write_report
    from autopipe.report._jsonable import to_jsonable

    check_is_fitted(model, "best_pipeline_")
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise ArtifactError(f"{out} exists and is not a directory: choose another path.")
    if (out / MANIFEST_FILE).exists() and not overwrite:
        raise ArtifactError(f"{out} already holds a saved model: pass overwrite=True or choose another path.")
    out.mkdir(parents=True, exist_ok=True)
    _dump_skops(model, out / MODEL_FILE)
    (out / LEGACY_MODEL_FILE).unlink(missing_ok=True)  # an older save of the same run
    _write_study(model.study_, out / STUDY_FILE)
    model.leaderboard().to_csv(out / "leaderboard.csv", index=False)
    summary = summary_of(model)
    write_report(summary, out / "report.html")
    manifest = {
        "format_version": FORMAT_VERSION,
        "model_format": "skops",
        "model_file": MODEL_FILE,
        "estimator": type(model).__name__,
        "versions": library_versions(),
        "schema": model.schema_.to_dict(),
        "task": model.schema_.task,
        "metric": {"name": model.metric_.name, "direction": model.metric_.direction},
        "cv_score": model.cv_score_,
        "best_params": model.best_params_,
        "best_trial": model.study_.best_trial.number,
        "settings": summary.get("settings", {}),
        "estimator_params": to_jsonable({k: v for k, v in model.get_params().items() if k != "storage"}),
        "fitted": to_jsonable({k: getattr(model, k) for k in FITTED_JSON if hasattr(model, k)}),
        "checksums": {name: _sha256(out / name) for name in CHECKED_FILES},
    }
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, default=str))
    return out


def refresh_checksums(path, names: tuple[str, ...] = ("report.html", "summary.json")) -> None:
    """Record new checksums after autopipe itself rewrote ``names`` (e.g. ``autopipe report``)."""
    root = Path(path)
    manifest = read_manifest(root)
    sums = manifest.setdefault("checksums", {})
    for name in names:
        if name in sums and (root / name).is_file():
            sums[name] = _sha256(root / name)
    (root / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, default=str))


def _dump_skops(model, target: Path) -> None:
    import numpy as np
    import skops.io as sio

    state = {
        "pipeline": model.best_pipeline_,
        "ensemble": getattr(model, "ensemble_", None),  # the weighted ensemble that predicts, when chosen
        "classes": getattr(model, "classes_", None),
        "feature_names_in": getattr(model, "feature_names_in_", None),
        "oof": _oof_arrays(getattr(model, "oof_", None), np),
    }
    try:
        sio.dump(state, target)
    except (TypeError, NotImplementedError) as exc:
        raise ArtifactError(f"Cannot save this pipeline in the skops format: {exc}") from None


def _oof_arrays(oof: dict | None, np) -> dict | None:
    if not oof:
        return None
    pred = oof.get("pred")
    return {"y": np.asarray(oof["y"]), "pred": None if pred is None else np.asarray(pred, dtype=float),
            "trial": None if oof.get("trial") is None else int(oof["trial"])}


# -- load ------------------------------------------------------------------------------
def load(path, *, trust_pickle: bool = False):
    """Load a run directory written by ``save`` (or by ``autopipe fit --out``).

    Checksums are verified and library versions compared (a warning names each one that
    differs) before anything is read. Format-1 directories hold a pickle: they load only
    with ``trust_pickle=True``.
    """
    root = Path(path)
    manifest = read_manifest(root)
    verify_checksums(root, manifest)
    _warn_version_drift(manifest.get("versions", {}))
    if manifest["format_version"] == 1:
        model = _load_pickle_model(root, trust_pickle)
    else:
        model = _load_skops_model(root, manifest)
    return _attach_study(model, root, manifest)


def verify_checksums(root: Path, manifest: dict) -> None:
    bad = []
    for name, expected in (manifest.get("checksums") or {}).items():
        file = root / name
        if not file.is_file():
            bad.append(f"{name} (missing)")
        elif _sha256(file) != expected:
            bad.append(name)
    if bad:
        raise ArtifactError(f"{root}: {', '.join(bad)} does not match the checksum in its manifest: the file was "
                            "modified or corrupted. Refusing to load it; re-save the model from its run.")


def _load_skops_model(root: Path, manifest: dict):
    import numpy as np
    import skops.io as sio

    from autopipe.api import AutoClassifier, AutoRegressor

    file = root / manifest.get("model_file", MODEL_FILE)
    try:
        untrusted = sio.get_untrusted_types(file=file)
    except Exception as exc:  # noqa: BLE001 - not a skops file at all
        raise ArtifactError(f"{file} is not a readable skops file ({type(exc).__name__}: {exc}).") from None
    refused = sorted(t for t in untrusted if not _allowed(t))
    if refused:
        raise ArtifactError(f"{file} contains types autopipe does not trust, so it was not loaded: "
                            f"{', '.join(refused)}. autopipe only writes scikit-learn, LightGBM, XGBoost, numpy "
                            "and autopipe types; this file was not written by autopipe or was altered.")
    state = sio.load(file, trusted=untrusted)
    cls = {"AutoClassifier": AutoClassifier, "AutoRegressor": AutoRegressor}.get(manifest.get("estimator"))
    if cls is None:
        raise ArtifactError(f"{root}: unknown estimator {manifest.get('estimator')!r} in the manifest.")
    model = cls(**manifest.get("estimator_params", {}))
    for key, value in (manifest.get("fitted") or {}).items():
        setattr(model, key, value)
    model.schema_ = Schema.from_dict(manifest["schema"])
    model.best_pipeline_ = state["pipeline"]
    model.ensemble_ = state.get("ensemble")
    model.oof_ = state.get("oof")
    if state.get("classes") is not None:
        model.classes_ = np.asarray(state["classes"])
    if state.get("feature_names_in") is not None:
        model.feature_names_in_ = np.asarray(state["feature_names_in"], dtype=object)
    return model


def _allowed(type_name: str) -> bool:
    """An allow-listed type, or an estimator class defined in autopipe's own modules."""
    if type_name in ALLOWED_TYPES:
        return True
    module, _, name = type_name.rpartition(".")
    if not module.startswith("autopipe."):
        return False
    try:
        obj = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return False
    from sklearn.base import BaseEstimator

    return isinstance(obj, type) and issubclass(obj, BaseEstimator) and obj.__module__ == module


def _load_pickle_model(root: Path, trust_pickle: bool):
    """Format 1: a joblib pickle of the estimator's state."""
    import joblib

    from autopipe.api import AutoClassifier, AutoRegressor

    file = root / LEGACY_MODEL_FILE
    if not trust_pickle:
        raise ArtifactError(f"{root} was saved in format 1: {LEGACY_MODEL_FILE} is a pickle, and loading a pickle "
                            "runs any code it names. If you trust where it came from, load it with "
                            "autopipe.load(path, trust_pickle=True), then save it again to get the safe format.")
    state = joblib.load(file)
    cls = {"AutoClassifier": AutoClassifier, "AutoRegressor": AutoRegressor}[state["estimator"]]
    model = cls(**state["params"])
    for key, value in state["fitted"].items():
        setattr(model, key, value)
    model.best_pipeline_ = state["pipeline"]
    return model


def _attach_study(model, root: Path, manifest: dict):
    from autopipe.metrics import resolve_metric
    from autopipe.search import load_study

    schema = model.schema_
    model.metric_ = resolve_metric(manifest["metric"]["name"], schema.task, schema.n_classes)
    if (root / STUDY_FILE).exists():
        model.study_ = load_study(storage=f"sqlite:///{(root / STUDY_FILE).resolve()}")
    return model


def read_manifest(root: Path) -> dict[str, Any]:
    root = Path(root)
    if not root.is_dir():
        raise ArtifactError(f"{root} is not a run directory: it does not exist or is not a folder.")
    manifest_file = root / MANIFEST_FILE
    if not manifest_file.exists():
        raise ArtifactError(f"{root} is not a complete run directory: {MANIFEST_FILE} is missing.")
    try:
        manifest = json.loads(manifest_file.read_text())
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{manifest_file} is not valid JSON ({exc}).") from None
    version = manifest.get("format_version")
    if version not in READABLE_FORMATS:
        raise ArtifactError(f"{root} has artifact format {version!r}; this autopipe reads formats "
                            f"{', '.join(map(str, READABLE_FORMATS))}.")
    model_file = LEGACY_MODEL_FILE if version == 1 else manifest.get("model_file", MODEL_FILE)
    if not (root / model_file).exists():
        raise ArtifactError(f"{root} is not a complete run directory: {model_file} is missing.")
    return manifest


# -- helpers ---------------------------------------------------------------------------
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
