"""Trials on a Dask LocalCluster: the study completes, and a run loads and predicts as usual."""

from __future__ import annotations

import collections

import pytest

distributed = pytest.importorskip("distributed", reason="dask.distributed is in the 'scale' extra")

from autopipe.search import RandomSampler, TrialState, create_study  # noqa: E402


def cheap(trial):
    x = trial.suggest_float("x", -1.0, 1.0)
    return x * x


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) \
            as cluster, distributed.Client(cluster) as c:
        yield c


def test_dask_runs_a_study_to_completion(client, tmp_path):
    study = create_study(storage=f"sqlite:///{tmp_path / 'd.db'}", study_name="d", sampler=RandomSampler(0))
    seen = []
    study.optimize(cheap, n_trials=12, dask_client=client, callbacks=[lambda s, t: seen.append(t.number)])
    assert collections.Counter(t.state for t in study.trials) == {TrialState.COMPLETE: 12}
    assert sorted(seen) == list(range(12))


def test_dask_needs_a_database_storage(client):
    from autopipe.exceptions import ParameterError

    with pytest.raises(ParameterError, match="database storage"):
        create_study().optimize(cheap, n_trials=1, dask_client=client)


def test_fit_on_dask_loads_and_predicts(client, tmp_path, breast_cancer):
    import autopipe

    model = autopipe.fit(breast_cancer, target="target", n_trials=4, time_budget=120, cv=3,
                         storage=f"sqlite:///{tmp_path / 'fit.db'}", study_name="bc", dask_client=client)
    assert model.settings_["dask"] is not None
    model.save(tmp_path / "run")
    loaded = autopipe.load(tmp_path / "run")
    X = breast_cancer.drop(columns=["target"])
    assert (loaded.predict(X) == model.predict(X)).all()
    assert len([t for t in loaded.study_.trials if t.state.is_finished()]) == 4


@pytest.mark.slow
def test_dask_with_two_worker_processes(tmp_path):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) \
            as cluster, distributed.Client(cluster) as c:
        study = create_study(storage=f"sqlite:///{tmp_path / 'p.db'}", study_name="p", sampler=RandomSampler(0))
        study.optimize(cheap, n_trials=20, dask_client=c)
        assert collections.Counter(t.state for t in study.trials) == {TrialState.COMPLETE: 20}
