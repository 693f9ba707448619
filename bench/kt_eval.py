"""Knowledge-tracing evidence: every model family on the same unseen learners.

Models are fitted on training learners and scored one-step-ahead (predict, then update) on
learners they have never seen. By default the training file in ``../shared/data`` (relative
to the repository) is split 80/20 *by learner* with a fixed seed; ``--train FILE --test
FILE`` uses a fixed split instead. For each model: AUC, RMSE, log-loss, accuracy and a
bootstrap 95 % interval over test learners. Models using a learner's *other* skills are also
reported in a per-skill-only form (``*_per_skill``): in the ASSISTments release each
learner's rows are grouped by skill, not in time order, so cross-skill features may use
answers given later. The last stdout line is one JSON object; its ``production`` key is
``{"model", "auc", "rmse"}`` for the model the app uses.

    .venv/bin/python -m bench.kt_eval [--train FILE --test FILE] [--max-users N]
        [--bootstrap B] [--data PATH ...] [--sim] [--pybkt [--pybkt-python PATH]]

With ``--pybkt``, pyBKT is compared if a separate environment with it exists (see
``bench/kt_pybkt.py``; ``--pybkt-python`` or ``$PYBKT_PYTHON``); otherwise it is reported as
skipped.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np

from bench._sim_population import KT_COLUMNS, simulate_kt_log, write_csv
from engine.adaptive.knowledge_tracing import (
    PRODUCTION_MODEL,
    BKTModel,
    EloModel,
    EloParams,
    KTModel,
    LogisticKT,
    MajorityModel,
    Observation,
    replay,
    tune_elo,
)
from engine.adaptive.kt_ensemble import EnsembleModel
from engine.adaptive.metrics import accuracy, auc, log_loss, rmse

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO.parent / "shared" / "data"
TRAIN_FILE = "assistments2009_builder_train.csv"
SEED = 42
PYBKT_PYTHON = Path(tempfile.gettempdir()) / "pybkt-venv" / "bin" / "python"

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


def _np_auc(p: np.ndarray, y: np.ndarray) -> float:
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return 0.5
    _, inv, cnt = np.unique(p, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(cnt) - (cnt - 1) / 2.0)[inv]
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def _scores(
    probs: list[float], labels: list[bool], sizes: list[int], n_boot: int
) -> dict[str, object]:
    out: dict[str, object] = {
        "auc": round(auc(probs, labels), 4),
        "rmse": round(rmse(probs, labels), 4),
        "log_loss": round(log_loss(probs, labels), 4),
        "accuracy": round(accuracy(probs, labels), 4),
    }
    if n_boot > 0 and len(sizes) > 1:
        p, y = np.asarray(probs), np.asarray(labels, dtype=bool)
        ends = np.cumsum(sizes)
        starts = ends - np.asarray(sizes)
        rng = np.random.default_rng(SEED)
        aucs, rmses = [], []
        for _ in range(n_boot):
            pick = rng.integers(0, len(sizes), len(sizes))
            idx = np.concatenate([np.arange(starts[i], ends[i]) for i in pick])
            aucs.append(_np_auc(p[idx], y[idx]))
            rmses.append(float(np.sqrt(np.mean((p[idx] - y[idx]) ** 2))))
        out["auc_95"] = [round(float(np.percentile(aucs, q)), 4) for q in (2.5, 97.5)]
        out["rmse_95"] = [round(float(np.percentile(rmses, q)), 4) for q in (2.5, 97.5)]
    return out


def _models(
    train: list[list[Observation]], parents: dict[str, str] | None
) -> list[KTModel[object]]:
    """Every model compared, fitted on ``train`` (inner 80/20 split only to tune Elo)."""
    inner_train, valid = split(dict(enumerate(train)), 0.2)  # type: ignore[arg-type]
    models: list[object] = [MajorityModel(hard=True), MajorityModel()]
    bkt, bkt_f = BKTModel(), BKTModel(forgetting=True)
    models += [bkt, bkt_f, EloModel(EloParams.baseline(), name="elo")]
    elo_f = tune_elo(inner_train, valid, parents=parents)
    elo_f.name = "elo_forgetting"
    models += [
        elo_f,
        EloModel(replace(elo_f.params, use_global=False), name="elo_forgetting_per_skill"),
        EloModel(replace(elo_f.params, forgetting_days=None), name="elo_items_no_forgetting"),
    ]
    logistic = [
        LogisticKT(preset, cross_skill=cs)
        for preset in ("pfa", "r_pfa", "best_lr", "logistic_kt")
        for cs in ((False,) if preset in ("pfa", "r_pfa") else (True, False))
    ]
    models += logistic
    for m in models:
        if m is not elo_f:
            m.fit(train)  # type: ignore[attr-defined]
    by_name = {m.name: m for m in models}  # type: ignore[attr-defined]
    models += [
        EnsembleModel([by_name["logistic_kt"], bkt_f], name="ensemble"),
        EnsembleModel([by_name["logistic_kt_per_skill"], bkt_f], name="ensemble_per_skill"),
    ]
    return models  # type: ignore[return-value]


def _write_split_csv(path: Path, learners: Sequence[Sequence[Observation]], tag: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["order_id", "user_id", "skill_id", "correct"])
        row = 0
        for u, log in enumerate(learners):
            for o in log:
                row += 1
                w.writerow(
                    [row, f"{tag}{u}", o.skill_ids[0] if o.skill_ids else "", int(o.correct)]
                )


def _pybkt(
    train: list[list[Observation]], test: list[list[Observation]], python: Path, n_boot: int
) -> dict[str, object]:
    """pyBKT in its own environment (never the app's); skipped when that is absent."""
    if not python.exists():
        return {"skipped": f"no pyBKT environment at {python.name} (see bench/kt_pybkt.py)"}
    with tempfile.TemporaryDirectory() as tmp:
        tr, te, out = Path(tmp) / "train.csv", Path(tmp) / "test.csv", Path(tmp) / "out.json"
        _write_split_csv(tr, train, "tr")
        _write_split_csv(te, test, "te")
        script = Path(__file__).with_name("kt_pybkt.py")
        res = subprocess.run(
            [str(python), str(script), str(tr), str(te), str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        if res.returncode != 0 or not out.exists():
            return {"skipped": f"pyBKT failed: {res.stderr.strip()[-300:]}"}
        raw = json.loads(out.read_text(encoding="utf-8"))
    labels = [o.correct for log in test for o in log]
    kept = set(raw["order_id"])
    rows = [r + 1 for r in range(len(labels))]
    keep = [i for i, r in enumerate(rows) if r in kept]
    sizes, at = [], 0
    for log in test:
        sizes.append(sum(1 for i in range(at, at + len(log)) if rows[i] in kept))
        at += len(log)
    results: dict[str, object] = {}
    for name in ("pybkt_bkt", "pybkt_bkt_forgetting"):
        results[name] = _scores(raw[name], [labels[i] for i in keep], sizes, n_boot)
    return results


def evaluate(
    train: list[list[Observation]],
    test: list[list[Observation]],
    *,
    parents: dict[str, str] | None = None,
    n_boot: int = 200,
    pybkt_python: Path | None = None,
) -> dict[str, object]:
    """Fit every model on the training learners and score it on the held-out ones."""
    out: dict[str, object] = {
        "train_learners": len(train),
        "test_learners": len(test),
        "train_rows": sum(len(x) for x in train),
        "test_rows": sum(len(x) for x in test),
    }
    t = time.perf_counter()
    models = _models(train, parents)
    out["fit_secs"] = round(time.perf_counter() - t, 1)
    sizes = [len(log) for log in test]
    results: dict[str, dict[str, object]] = {}
    for model in models:
        t = time.perf_counter()
        probs, labels = replay(model, test)
        results[model.name] = _scores(probs, labels, sizes, n_boot)
        results[model.name]["replay_us_per_answer"] = round(
            (time.perf_counter() - t) / max(1, len(probs)) * 1e6, 1
        )
        print(f"[kt_eval]   {model.name}: {results[model.name]}", file=sys.stderr)
    if pybkt_python is None:
        results["pybkt"] = {"skipped": "not requested (--pybkt)"}
    else:
        results.update(_pybkt(train, test, pybkt_python, n_boot))  # type: ignore[arg-type]
    out["models"] = results
    prod = results[PRODUCTION_MODEL]
    out["production"] = {"model": PRODUCTION_MODEL, "auc": prod["auc"], "rmse": prod["rmse"]}
    return out


def simulated(n_boot: int) -> dict[str, object]:
    rows, world = simulate_kt_log(seed=7, n_learners=1000)
    with tempfile.TemporaryDirectory() as tmp:  # go through the same CSV reader as real data
        path = write_csv(rows, Path(tmp) / "sim_skill_builder.csv", KT_COLUMNS)
        logs = load_log(path)
    train, test = split(logs)
    res = evaluate(train, test, parents=world.skill_parent, n_boot=n_boot)
    res["source"] = "simulated (seed 7; abilities, item difficulty, learning, forgetting)"
    return res


def _print_table(name: str, res: dict[str, object]) -> None:
    models = res["models"]
    assert isinstance(models, dict)
    print(f"{name}:", file=sys.stderr)
    for m, s in models.items():
        cells = "  ".join(f"{k}={v}" for k, v in s.items())
        print(f"  {m:26s} {cells}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--train", type=Path, help="training CSV of a fixed split")
    ap.add_argument("--test", type=Path, help="test CSV of a fixed split (other learners)")
    ap.add_argument("--data", type=Path, action="append", default=[], help="extra CSV log")
    ap.add_argument("--max-users", type=int, default=None, help="subsample big logs")
    ap.add_argument("--bootstrap", type=int, default=200, help="resamples of test learners")
    ap.add_argument("--sim", action="store_true", help="also run the simulated population")
    ap.add_argument("--pybkt", action="store_true", help="also run pyBKT (slow: ~1 h here)")
    ap.add_argument("--pybkt-python", type=Path, default=None, help="python of a pyBKT venv")
    args = ap.parse_args(argv)
    if (args.train is None) != (args.test is None):
        ap.error("--train and --test go together")
    started = time.perf_counter()
    pybkt = args.pybkt_python or Path(os.environ.get("PYBKT_PYTHON", str(PYBKT_PYTHON)))
    if not args.pybkt:
        pybkt = None
    report: dict[str, object] = {"bench": "kt_eval"}
    datasets: dict[str, object] = {}
    skipped: dict[str, str] = {}
    if args.train is not None:
        tr = load_log(args.train, max_users=args.max_users)
        te = load_log(args.test, max_users=args.max_users)
        print(f"[kt_eval] fixed split: {len(tr)} / {len(te)} learners", file=sys.stderr)
        res = evaluate(
            list(tr.values()), list(te.values()), n_boot=args.bootstrap, pybkt_python=pybkt
        )
        res["split"] = f"fixed: {args.train.name} / {args.test.name}"
        datasets[f"{args.train.name}|{args.test.name}"] = res
    paths: list[Path] = list(args.data)
    if args.train is None and (DATA_DIR / TRAIN_FILE).is_file():
        paths.insert(0, DATA_DIR / TRAIN_FILE)
    elif args.train is None:
        skipped[f"../shared/data/{TRAIN_FILE}"] = "absent"
    for path in paths:
        try:
            logs = load_log(path, max_users=args.max_users)
        except (ValueError, KeyError, OSError) as exc:
            skipped[path.name] = str(exc)[:200]
            continue
        if len(logs) < 5:
            skipped[path.name] = "fewer than 5 learners"
            continue
        print(f"[kt_eval] {path.name}: {len(logs)} learners, 80/20 by learner", file=sys.stderr)
        train, test = split(logs)
        res = evaluate(train, test, n_boot=args.bootstrap, pybkt_python=pybkt)
        res["split"] = f"80/20 by learner, seed {SEED}"
        datasets[path.name] = res
    report["datasets"] = datasets
    report["skipped"] = skipped
    if args.sim:
        print("[kt_eval] simulated population", file=sys.stderr)
        report["simulated"] = simulated(args.bootstrap)
    for name, res in datasets.items():
        assert isinstance(res, dict)
        _print_table(name, res)
    first = next(iter(datasets.values()), None)
    if isinstance(first, dict):
        report["production"] = first["production"]
    elif "simulated" in report:
        sim = report["simulated"]
        assert isinstance(sim, dict)
        report["production"] = sim["production"]
    else:
        report["production"] = {"model": PRODUCTION_MODEL, "auc": None, "rmse": None}
    report["secs"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
