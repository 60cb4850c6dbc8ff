"""Danish language processing built offline: the spaCy pipeline and the NLU quality gates."""
