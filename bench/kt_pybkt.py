"""pyBKT reference run, executed by ``bench.kt_eval`` in a *separate* environment.

pyBKT is never installed into the app's venv. Create one with::

    python3.11 -m venv /tmp/pybkt-venv
    /tmp/pybkt-venv/bin/pip install pyBKT 'scikit-learn<1.5'

then ``bench.kt_eval`` finds it (``--pybkt-python PATH`` or ``$PYBKT_PYTHON``) and runs::

    PYTHON kt_pybkt.py TRAIN.csv TEST.csv OUT.json

Both CSVs have ``order_id,user_id,skill_id,correct``; OUT.json receives, per variant, the
one-step-ahead predictions for TEST's rows in file order. Only the standard library, pandas
and pyBKT are imported here, so the script runs without the app's code.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    import pandas as pd  # type: ignore[import-untyped]
    from pyBKT.models import Model  # type: ignore[import-not-found]

    train_path, test_path, out_path = argv
    cols = {"skill_id": "skill_name"}
    train = pd.read_csv(train_path, dtype={"skill_id": str, "user_id": str}).rename(columns=cols)
    test = pd.read_csv(test_path, dtype={"skill_id": str, "user_id": str}).rename(columns=cols)
    # pyBKT cannot predict skills it has not been fitted on
    test = test[test["skill_name"].isin(set(train["skill_name"]))].reset_index(drop=True)
    out: dict[str, object] = {"order_id": [int(x) for x in test["order_id"]]}
    for name, forgets in (("pybkt_bkt", False), ("pybkt_bkt_forgetting", True)):
        model = Model(seed=42, num_fits=5)
        model.fit(data=train, forgets=forgets)
        pred = model.predict(data=test)
        by_order = dict(zip(pred["order_id"], pred["correct_predictions"], strict=True))
        out[name] = [float(by_order[o]) for o in test["order_id"]]
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(out, fh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
