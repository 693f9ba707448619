"""Shared weights of ``logistic_kt`` for skills it was not trained on.

Fitted by ``bench/kt_fit_defaults.py`` on all 3361 learners of assistments2009_builder_train.csv.
One weight per feature, in the order of ``LogisticKT(...).feature_names``.
"""

DEFAULT_SHARED_WEIGHTS: tuple[float, ...] = (
    -0.720726,  # bias
    0.000000,  # log_successes
    0.000000,  # log_failures
    -1.245389,  # first_attempt
    0.000000,  # recent_0.3
    0.000000,  # recent_0.5
    0.000000,  # recent_0.7
    0.584617,  # recent_0.85
    0.000000,  # recent_0.95
    0.000000,  # last_1
    0.031465,  # last_2
    0.014905,  # last_3
    0.209562,  # log_correct_run
    -0.521329,  # log_wrong_run
    0.000000,  # correct_run_1
    0.000000,  # correct_run_2
    0.000000,  # correct_run_3
    0.000000,  # wrong_run_1
    0.000000,  # wrong_run_2
    -0.367382,  # wrong_run_3
    0.124478,  # log_attempts
    0.230149,  # log_all_successes
    -0.211135,  # log_all_failures
    0.000000,  # all_rate
    0.000000,  # log_other_successes
    -0.021567,  # log_other_failures
    0.692502,  # other_rate
    1.480250,  # first_attempt_x_other_rate
    0.000000,  # overall_recent_0.3
    0.000000,  # overall_recent_0.7
    0.550039,  # overall_recent_0.95
    0.066045,  # log_other_skills
)
