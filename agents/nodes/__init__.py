"""One module per graph node; each a small function from state (+ runtime context) to a partial update."""
