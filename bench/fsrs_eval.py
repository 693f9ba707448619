"""How well FSRS predicts recall: log-loss, RMSE and AUC of predicted retrievability.

Replays review logs found under ``/work/shared/data`` (CSV with card id, rating and review
time columns) and, always, simulated review logs whose ground-truth memory follows a
power-law forgetting curve that is *not* FSRS's own. Each review at least a day after the
previous one is predicted from the card state before it (the FSRS benchmark's convention),
and compared with a constant base-rate baseline. The last stdout line is one JSON object.

    .venv/bin/python -m bench.fsrs_eval [--data PATH ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsrs import Card, Rating, Scheduler

from bench._sim_population import true_recall
from engine.adaptive.metrics import auc, log_loss, rmse

DATA_DIR = Path("/work/shared/data")
T0 = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)

_CARD = ("card_id", "cid", "item_id")
_RATING = ("rating", "review_rating", "grade", "ease")
_TIME = ("review_datetime", "review_time", "timestamp", "review_th", "id", "created_at")


def _pick(header: list[str], names: tuple[str, ...]) -> str | None:
    low = {h.strip().lower(): h for h in header}
    return next((low[n] for n in names if n in low), None)


def _parse_time(raw: str) -> datetime | None:
    raw = raw.strip()
    try:
        v = float(raw)
    except ValueError:
        try:
            dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    if v > 1e11:  # epoch milliseconds (Anki revlog ids)
        v /= 1000.0
    return datetime.fromtimestamp(v, tz=UTC)


def load_reviews(path: Path) -> dict[str, list[tuple[datetime, int]]]:
    """Per-card (time, rating 1–4) lists from a review-log CSV."""
    with path.open(newline="", encoding="utf-8", errors="replace") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        cc, cr, ct = _pick(header, _CARD), _pick(header, _RATING), _pick(header, _TIME)
        if cc is None or cr is None or ct is None:
            raise ValueError(f"not a review log (need card, rating, time): {header[:8]}")
        out: dict[str, list[tuple[datetime, int]]] = {}
        for row in reader:
            at = _parse_time(row[ct] or "")
            try:
                rating = int(float(row[cr]))
            except (TypeError, ValueError):
                continue
            if at is None or not 1 <= rating <= 4:
                continue
            out.setdefault(row[cc], []).append((at, rating))
    return {k: sorted(v) for k, v in out.items()}


def predictions(
    cards: Iterable[list[tuple[datetime, int]]], scheduler: Scheduler
) -> tuple[list[float], list[bool], list[float]]:
    """(FSRS predicted recall, recalled?, elapsed days) for every review ≥ 1 day after the last."""
    probs: list[float] = []
    labels: list[bool] = []
    gaps: list[float] = []
    for n, reviews in enumerate(cards):
        card = Card(card_id=n + 1, due=reviews[0][0])
        last: datetime | None = None
        for at, rating in reviews:
            if last is not None and (at - last).days >= 1:
                probs.append(float(scheduler.get_card_retrievability(card, at)))
                labels.append(rating > 1)
                gaps.append((at - last).total_seconds() / 86_400)
            card, _ = scheduler.review_card(card, Rating(rating), review_datetime=at)
            last = at
    return probs, labels, gaps


def simulate_reviews(
    *, seed: int = 3, n_learners: int = 60, cards_per_learner: int = 40, days: int = 365
) -> list[list[tuple[datetime, int]]]:
    """Learners reviewing on an FSRS schedule (often late) against a hidden memory model.

    Each card has a hidden difficulty; each learner a memory strength. Stability grows most
    when a card is recalled at low retrievability (the spacing effect) and collapses on a
    lapse. Ratings follow the true recall probability: again on a lapse, hard when recall was
    shaky, easy when it was certain.
    """
    rng = random.Random(seed)
    scheduler = Scheduler(enable_fuzzing=False)
    out: list[list[tuple[datetime, int]]] = []
    horizon = T0 + timedelta(days=days)
    for _ in range(n_learners):
        strength = rng.lognormvariate(0.0, 0.35)
        lateness = rng.uniform(1.0, 1.8)
        for _ in range(cards_per_learner):
            difficulty = rng.uniform(0.6, 2.2)
            stability = strength * rng.uniform(1.0, 4.0) / difficulty
            at = T0 + timedelta(days=rng.uniform(0, 60))
            card = Card(card_id=len(out) + 1, due=at)
            last: datetime | None = None
            log: list[tuple[datetime, int]] = []
            while at < horizon and len(log) < 40:
                elapsed = 0.0 if last is None else (at - last).total_seconds() / 86_400
                r = 1.0 if last is None else true_recall(stability, elapsed)
                if last is None:
                    rating = 3 if rng.random() < 0.7 else 1
                elif rng.random() < r:
                    rating = (
                        4
                        if r > 0.95 and rng.random() < 0.4
                        else (2 if r < 0.7 and rng.random() < 0.5 else 3)
                    )
                else:
                    rating = 1
                if last is not None and elapsed >= 1:
                    if rating > 1:
                        gain = math.exp((1.0 - r) * 1.5) - 1.0
                        boost = 1.0 + (8.0 / difficulty) * stability**-0.2 * gain
                        stability *= boost * (1.3 if rating == 4 else 0.85 if rating == 2 else 1)
                    else:
                        stability = max(0.1, stability * 0.3)
                log.append((at, rating))
                card, _ = scheduler.review_card(card, Rating(rating), review_datetime=at)
                last = at
                wait = card.due - at
                at = at + wait * (lateness if wait >= timedelta(days=1) else 1.0)
                at += timedelta(hours=rng.uniform(0, 12))
            out.append(log)
    return out


def _bins_rmse(probs: list[float], labels: list[bool], n_bins: int = 20) -> float:
    """Calibration error: RMSE between mean prediction and mean outcome in probability bins."""
    bins: dict[int, list[tuple[float, bool]]] = {}
    for p, y in zip(probs, labels, strict=True):
        bins.setdefault(min(n_bins - 1, int(p * n_bins)), []).append((p, y))
    total = sum(len(b) for b in bins.values())
    err = 0.0
    for b in bins.values():
        mp = sum(p for p, _ in b) / len(b)
        my = sum(1 for _, y in b if y) / len(b)
        err += len(b) * (mp - my) ** 2
    return math.sqrt(err / total) if total else 0.0


def score(cards: list[list[tuple[datetime, int]]]) -> dict[str, object]:
    sched = Scheduler(enable_fuzzing=False)
    probs, labels, gaps = predictions(cards, sched)
    if not probs:
        return {"reviews_scored": 0}
    base = sum(labels) / len(labels)
    const = [base] * len(labels)
    return {
        "cards": len(cards),
        "reviews": sum(len(c) for c in cards),
        "reviews_scored": len(probs),
        "recall_rate": round(base, 4),
        "median_gap_days": round(sorted(gaps)[len(gaps) // 2], 2),
        "fsrs_default": {
            "log_loss": round(log_loss(probs, labels), 4),
            "rmse": round(rmse(probs, labels), 4),
            "rmse_bins": round(_bins_rmse(probs, labels), 4),
            "auc": round(auc(probs, labels), 4),
        },
        "constant_base_rate": {
            "log_loss": round(log_loss(const, labels), 4),
            "rmse": round(rmse(const, labels), 4),
            "rmse_bins": round(_bins_rmse(const, labels), 4),
            "auc": 0.5,
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, action="append", default=[])
    args = ap.parse_args(argv)
    started = time.perf_counter()
    paths = list(args.data)
    if DATA_DIR.is_dir():
        paths += sorted(p for p in DATA_DIR.rglob("*.csv") if p not in paths)
    report: dict[str, object] = {"bench": "fsrs_eval", "fsrs": "6.3.2 default parameters"}
    datasets: dict[str, object] = {}
    skipped: dict[str, str] = {}
    for path in paths:
        try:
            cards = list(load_reviews(path).values())
        except (ValueError, OSError) as exc:
            skipped[str(path)] = str(exc)[:200]
            continue
        datasets[str(path)] = score(cards)
    if not DATA_DIR.is_dir():
        skipped[str(DATA_DIR)] = "absent"
    report["datasets"] = datasets
    report["skipped"] = skipped
    print("[fsrs_eval] simulating review logs", file=sys.stderr)
    sim = score(simulate_reviews())
    sim["source"] = "simulated (power-law memory, late learners, seed 3)"
    report["simulated"] = sim
    report["secs"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
