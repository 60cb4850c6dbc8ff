"""Outcome measures (docs/outcomes.md): WHO-5, Brief INSPIRE-O and the three experience items of the
Samarbejdsmodel evaluation, asked by SMS or web chat a question at a time, scored, and alerting on
a WHO-5 fall or a very low score."""
