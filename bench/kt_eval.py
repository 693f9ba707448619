"""Knowledge-tracing evidence: forgetting Elo vs plain BKT vs Elo vs the majority baseline.

Every CSV under ``/work/shared/data`` in the ASSISTments skill-builder layout (and any
``--data PATH``) is replayed, and so, always, is a simulated population with known ground
truth. Each data set is split 80/20 *by learner* with a fixed seed; models are fitted on the
80 % and scored one-step-ahead on the unseen 20 %. The last stdout line is one JSON object.

    .venv/bin/python -m bench.kt_eval [--data PATH ...] [--max-users N]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bench._sim_population import KT_COLUMNS, simulate_kt_log, write_csv
from engine.adaptive.knowledge_tracing import (
    BKTModel,
    EloModel,
    EloParams,
    MajorityModel,
    Observation,
    replay,
    tune_elo,
)
from engine.adaptive.metrics import accuracy, auc, log_loss, rmse

DATA_DIR = Path("/work/shared/data")
SEED = 42

_USER = ("user_id", "user", "student_id", "studentid", "anon_student_id")
_SKILL = ("skill_id", "skill_name", "skill", "kc", "kc_id", "skill_ids")
_ITEM = ("problem_id", "item", "item_id", "question_id", "assistment_id", "problem")
_CORRECT = ("correct", "is_correct", "outcome")
_ORDER = ("order_id", "order", "row", "index")
_TIME = ("timestamp", "start_time", "ms_first_response", "time", "created_at")


def _pick(header: Sequence[str], names: tuple[str, ...]) -> str | None:
    low = {h.strip().lower(): h for h in header}
    for n in names:
        if n in low:
            return low[n]
    return None


def _to_days(raw: str, column: str) -> float | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        v = float(raw)
    except ValueError:
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp() / 86_400
        except ValueError:
            return None
    if column.lower().startswith("ms_") or v > 1e11:  # epoch milliseconds
        v /= 1000.0
    return v / 86_400


def load_log(path: Path, *, max_users: int | None = None) -> dict[str, list[Observation]]:
    """Read an ASSISTments-style CSV into per-learner, time-ordered observations."""
    with path.open(newline="", encoding="latin-1") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        cu = _pick(header, _USER)
        skill_cols = [c for c in (_pick(header, (n,)) for n in _SKILL) if c is not None]
        cs = skill_cols[0] if skill_cols else None
        ci, cc = _pick(header, _ITEM), _pick(header, _CORRECT)
        co, ct = _pick(header, _ORDER), _pick(header, _TIME)
        if cu is None or cs is None or cc is None:
            raise ValueError(f"{path}: needs user, skill and correct columns, got {header}")
        rows: dict[str, list[tuple[float, int, Observation]]] = {}
        for n, row in enumerate(reader):
            # first non-empty skill column (ASSISTments leaves skill_id blank on some rows)
            skill = next(
                (
                    v
                    for c in skill_cols
                    if (v := (row.get(c) or "").strip()) and v.lower() not in ("nan", "null")
                ),
                "",
            )
            if not skill:
                continue
            try:
                correct = float(row[cc]) >= 1.0
            except (TypeError, ValueError):
                continue
            order = int(float(row[co])) if co and row.get(co) else n
            at = _to_days(row[ct], ct) if ct and row.get(ct) else None
            item = (row.get(ci) or "").strip() if ci else ""
            obs = Observation((skill,), item or f"skill:{skill}", correct, at, order)
            rows.setdefault(row[cu], []).append((at if at is not None else 0.0, order, obs))
    users = sorted(rows)
    if max_users is not None and len(users) > max_users:
        users = sorted(random.Random(SEED).sample(users, max_users))
    return {u: [o for _, _, o in sorted(rows[u], key=lambda r: (r[0], r[1]))] for u in users}


def split(
    logs: dict[str, list[Observation]], test_share: float = 0.2
) -> tuple[list[list[Observation]], list[list[Observation]]]:
    users = sorted(logs)
    random.Random(SEED).shuffle(users)
    n_test = max(1, round(len(users) * test_share))
    return [logs[u] for u in users[n_test:]], [logs[u] for u in users[:n_test]]


def _scores(probs: list[float], labels: list[bool]) -> dict[str, float]:
    return {
        "auc": round(auc(probs, labels), 4),
        "rmse": round(rmse(probs, labels), 4),
        "log_loss": round(log_loss(probs, labels), 4),
        "accuracy": round(accuracy(probs, labels), 4),
    }


def evaluate(
    logs: dict[str, list[Observation]],
    *,
    parents: dict[str, str] | None = None,
    truth: dict[int, float] | None = None,
) -> dict[str, object]:
    """Fit every model on the training learners and score it on the held-out ones."""
    train, test = split(logs)
    inner_train, valid = split(dict(enumerate(train)), 0.2)  # type: ignore[arg-type]
    n_rows = sum(len(x) for x in train) + sum(len(x) for x in test)
    out: dict[str, object] = {
        "learners": len(logs),
        "rows": n_rows,
        "train_learners": len(train),
        "test_learners": len(test),
        "test_rows": sum(len(x) for x in test),
    }
    t = time.perf_counter()
    majority = MajorityModel(hard=True)
    majority.fit(train)
    base_rate = MajorityModel()
    base_rate.fit(train)
    bkt = BKTModel()
    bkt.fit(train)
    elo = EloModel(EloParams.baseline(), name="elo")
    elo.fit(train)
    ours = tune_elo(inner_train, valid, parents=parents)
    ours.name = "elo_forgetting"
    out["fit_secs"] = round(time.perf_counter() - t, 2)
    out["chosen_params"] = {
        "k_skill": ours.params.k_skill,
        "wrong_weight": ours.params.wrong_weight,
        "forgetting_days": ours.params.forgetting_days,
    }
    # ablation: the tuned production model with forgetting switched off
    no_forget = EloModel(replace(ours.params, forgetting_days=None), parents=parents)
    no_forget.fit(train)
    no_forget.name = "elo_items_no_forgetting"
    results: dict[str, dict[str, float]] = {}
    for model in (majority, base_rate, bkt, elo, no_forget, ours):
        probs, labels = replay(model, test)  # type: ignore[arg-type]
        results[model.name] = _scores(probs, labels)
        if truth is not None:
            true_p = [truth[o.order] for log in test for o in log]
            results[model.name]["rmse_vs_true_p"] = round(
                math.sqrt(
                    sum((p - q) ** 2 for p, q in zip(probs, true_p, strict=True)) / len(probs)
                ),
                4,
            )
    if truth is not None:  # the ceiling: predicting with the simulation's true probabilities
        true_p = [truth[o.order] for log in test for o in log]
        labels = [o.correct for log in test for o in log]
        results["oracle_true_p"] = _scores(true_p, labels)
    out["models"] = results
    best = max(("bkt", "elo", "elo_forgetting"), key=lambda m: results[m]["auc"])
    out["best_by_auc"] = best
    return out


def simulated() -> dict[str, object]:
    rows, world = simulate_kt_log(seed=7, n_learners=1000)
    with tempfile.TemporaryDirectory() as tmp:  # go through the same CSV reader as real data
        path = write_csv(rows, Path(tmp) / "sim_skill_builder.csv", KT_COLUMNS)
        logs = load_log(path)
    truth = {int(str(r["order_id"])): float(str(r["true_p"])) for r in rows}
    res = evaluate(logs, parents=world.skill_parent, truth=truth)
    res["source"] = "simulated (seed 7; abilities, item difficulty, learning, forgetting)"
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, action="append", default=[], help="extra CSV log")
    ap.add_argument("--max-users", type=int, default=None, help="subsample big logs")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    paths: list[Path] = list(args.data)
    if DATA_DIR.is_dir():
        paths += sorted(p for p in DATA_DIR.rglob("*.csv") if p not in paths)
    report: dict[str, object] = {"bench": "kt_eval", "split": "80/20 by learner, seed 42"}
    datasets: dict[str, object] = {}
    skipped: dict[str, str] = {}
    for path in paths:
        try:
            logs = load_log(path, max_users=args.max_users)
        except (ValueError, KeyError, OSError) as exc:
            skipped[str(path)] = str(exc)[:200]
            continue
        if len(logs) < 5:
            skipped[str(path)] = "fewer than 5 learners"
            continue
        print(f"[kt_eval] {path}: {len(logs)} learners", file=sys.stderr)
        datasets[str(path)] = evaluate(logs)
    if not DATA_DIR.is_dir():
        skipped[str(DATA_DIR)] = "absent"
    report["datasets"] = datasets
    report["skipped"] = skipped
    print("[kt_eval] simulated population", file=sys.stderr)
    report["simulated"] = simulated()
    report["secs"] = round(time.perf_counter() - started, 1)
    for name, res in [*datasets.items(), ("simulated", report["simulated"])]:
        assert isinstance(res, dict)
        models = res["models"]
        print(f"{name}:", file=sys.stderr)
        for m, s in models.items():
            print(f"  {m:15s} " + "  ".join(f"{k}={v}" for k, v in s.items()), file=sys.stderr)
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
