"""bench.kt_eval: data path relative to the repository, fixed split, production key."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bench import kt_eval
from bench._sim_population import simulate_kt_log


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["order_id", "user_id", "skill_id", "correct"])
        for r in rows:
            w.writerow([r["order_id"], r["user_id"], r["skill_id"], r["correct"]])


def test_data_dir_is_relative_to_the_repository() -> None:
    repo = Path(kt_eval.__file__).resolve().parents[1]
    assert repo.parent / "shared" / "data" == kt_eval.DATA_DIR


def test_fixed_split_reports_every_model_and_the_production_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows, _ = simulate_kt_log(seed=3, n_learners=40, n_skills=3)
    users = sorted({str(r["user_id"]) for r in rows})
    test_users = set(users[:10])
    train_csv, test_csv = tmp_path / "train.csv", tmp_path / "test.csv"
    _write(train_csv, [r for r in rows if str(r["user_id"]) not in test_users])
    _write(test_csv, [r for r in rows if str(r["user_id"]) in test_users])
    assert (
        kt_eval.main(["--train", str(train_csv), "--test", str(test_csv), "--bootstrap", "20"]) == 0
    )
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    prod = last["production"]
    assert prod["model"] == "logistic_kt" and 0.0 <= prod["auc"] <= 1.0 and prod["rmse"] > 0
    (res,) = last["datasets"].values()
    models = res["models"]
    for name in (
        "bkt",
        "bkt_forgetting",
        "elo_forgetting",
        "pfa_per_skill",
        "best_lr",
        "logistic_kt",
        "logistic_kt_per_skill",
        "ensemble",
        "ensemble_per_skill",
    ):
        lo, hi = models[name]["auc_95"]
        assert lo <= models[name]["auc"] <= hi
        assert {"rmse", "log_loss"} <= set(models[name])
    assert "skipped" in models["pybkt"]
    assert res["test_learners"] == 10
