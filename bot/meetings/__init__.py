"""Before and after the meeting: the citizen's preparation (agenda) and the agreements."""
