"""One module per graph node; each a small function from state (+ runtime context) to a partial update.

Every node is `async def`, even those that await nothing: LangGraph runs a plain `def` node of an async graph
in a thread pool, which costs a thread hop per node per message for CPU work that holds the GIL anyway
(issue 9's profile). None of them blocks on I/O.
"""
