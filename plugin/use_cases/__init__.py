"""Use cases: one business flow each, with its collaborators passed in."""
