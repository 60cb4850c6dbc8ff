"""Goals and the plan (issue 14 §1, "mine mål"): the citizen's goals in their own words, the steps
toward them with owner and date, ticked off by either side, and the citizen's JA/LIDT/NEJ."""
