"""Learn: the learner's dashboard and course player."""
