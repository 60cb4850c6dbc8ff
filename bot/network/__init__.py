"""The citizen's network (issue 14 §3): people the citizen chose, with the citizen's consent per
person, invited to meetings by SMS and reminded like the citizen; never told health content."""
