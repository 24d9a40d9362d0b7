"""Node 1: redact PHI before anything else sees the message; only the redacted turn joins the conversation.

A message the admission screen read from this same state (agents/screen.py) keeps the screen's redaction."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agents.state import TriageState, TurnContext
from agents.timing import timed
from compliance.phi import PlaceholderVault


async def redact(state: TriageState, runtime: Runtime[TurnContext]) -> TriageState:
    ctx = runtime.context
    trace = ctx.trace
    with timed(trace, "redact"):
        blob = state.get("vault")
        reading = ctx.screened.reading_of(state) if ctx.screened is not None else None
        if reading is not None:
            vault, result = reading
        else:
            ctx.screened = None  # not screened, or the conversation moved on since: read it here
            vault = PlaceholderVault.decrypt(blob, ctx.deps.vault_key) if blob else PlaceholderVault()
            result = ctx.deps.redactor.redact(ctx.raw_text, vault, language=trace.language)
        trace.vault = vault
        trace.message.redacted_text = result.redacted
        trace.message.redaction_counts = result.counts
        update: TriageState = {
            "conversation": [{"role": "user", "content": result.redacted}],
            "vault": vault.encrypt(ctx.deps.vault_key) if result.spans or blob is None else blob,
        }
    return update
