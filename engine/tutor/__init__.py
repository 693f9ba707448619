"""Byte, the AI tutor: grounded answers (``tutor.query``), memory and nudges (``tutor.nudge``).

Pure logic over plain inputs: the app's service gathers the course, the learner's twin and
history from the database and hands them in; the tutor returns the answer and what it used.
"""
