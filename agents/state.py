"""The graph's state (checkpointed per session) and its per-turn runtime context (never checkpointed).

The state holds only what the conversation's next message needs: its redacted turns, the placeholder vault, the
emergency it was told about and its language. Everything about one message (raw text, assessment, plan, output,
timings) lives in the runtime context and its trace, which the runner turns into the audit record. Raw patient
text lives only in the runtime context: the checkpointer persists redacted turns alone.
"""

from __future__ import annotations

import operator
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypedDict

from compliance.audit import MessageReceived, Response, Routing

if TYPE_CHECKING:
    from agents.deps import AgentDeps
    from agents.engines.router import Attempt, RoutePlan
    from agents.screen import Screening
    from agents.triage import Assessment
    from compliance.phi import PlaceholderVault


class Turn(TypedDict):
    role: Literal["user", "assistant"]
    content: str


class TriageState(TypedDict, total=False):
    #: The conversation's turns, redacted: `redact` appends the message, `reply` the answer.
    conversation: Annotated[list[Turn], operator.add]
    #: The conversation's placeholder vault, encrypted (compliance/phi/vault.py).
    vault: bytes | None
    #: The emergency this conversation was told about (level and reasons): a follow-up is not told again.
    emergency_told: dict[str, Any]
    #: The language of the conversation's last message with words (a message of numbers only keeps it).
    language: str


@dataclass
class TurnTrace:
    """A turn in flight: the record's message section as the nodes fill it in, and what the rest of the record is
    derived from when the turn ends (timings, the answer's chunks as they stream, the engines tried), so that an
    interrupted turn can still be recorded.

    The message, routing and response are the audit record's own sections (compliance/audit/sections.py), not
    copies of their fields: the nodes fill in what they decide (the route, the guard's events, the first token, each
    node's time) and the record adds what only the end of the turn knows (the whole answer, the engines tried, the
    status). The nodes only fill the trace in; the runner (agents/runner.py) writes the turn's one record from it
    (agents/audit_record.py)."""

    session_id: str
    message_id: str
    message: MessageReceived
    """Who sent the message, when, its language (read before redaction: every stage uses it), its redacted text and
    the PHI replaced, as the record keeps them."""
    actor: str | None = None
    started: float = field(default_factory=time.perf_counter)
    assessment: Assessment | None = None
    """The clinical engine's verdict (the assess node, or the admission screen)."""
    routing: Routing = field(default_factory=Routing)
    """The route taken (a `RoutePlan.kind`, or `busy` for a message refused at admission) and why."""
    attempts: list[Attempt] = field(default_factory=list)
    """The engines asked, as the router reports them (the record's `routing.engines_tried`)."""
    response: Response = field(default_factory=Response)
    """The guard's events, the first token's time and each node's wall time, as the nodes record them."""
    output: list[str] = field(default_factory=list)
    """The answer's chunks as they stream (the record joins them)."""
    vault: PlaceholderVault | None = None
    answered: float | None = None
    """When the answer was complete (`perf_counter`, set by the graph's last node): the record's `total_ms` ends
    there, not after the conversation is saved."""
    audit_id: str | None = None

    @property
    def language(self) -> str:
        """The message's language (compliance/language.py): en, ja or other."""
        return self.message.language or "en"

    @language.setter
    def language(self, value: str) -> None:
        self.message.language = value

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def total_ms(self) -> float:
        """The turn's wall time: to the complete answer, or to now for a turn that did not get there."""
        end = self.answered if self.answered is not None else time.perf_counter()
        return (end - self.started) * 1000


Emit = Callable[[dict[str, Any]], Awaitable[None]]
#: Awaited before each chunk of an answer is streamed: the caller may hold the stream back (app/triage_first.py).
Pace = Callable[[], Awaitable[None]]


async def discard(frame: dict[str, Any]) -> None:
    """An emitter for turns nobody watches (tests, replays)."""


async def no_pause() -> None:
    """A pace that never holds a stream back."""


@dataclass
class TurnContext:
    deps: AgentDeps
    raw_text: str
    trace: TurnTrace
    #: A clinician has taken the conversation over: the agent still redacts, assesses and records, but only an
    #: emergency gets an automatic answer (the fixed script); everything else waits for the clinician.
    clinician_in_charge: bool = False
    #: Where the nodes send the client's frames, awaited (so a slow client slows its own turn only). Frames
    #: go straight to the socket rather than through LangGraph's custom stream writer, which hops every
    #: frame through `call_soon_threadsafe` and a queue (issue 9's profile).
    emit: Emit = discard
    #: Awaited before each chunk the engine yields: streaming yields to other turns' pending triage work (issue 20).
    pace: Pace = no_pause
    #: The clinical engine's verdict on this message (the assess node).
    assessment: Assessment | None = None
    #: Who answers this message (the route node); the graph branches on its kind.
    plan: RoutePlan | None = None
    #: The admission screen's reading of this message (agents/screen.py), when it was screened before it was admitted:
    #: the redact and assess nodes take it instead of reading the message again.
    screened: Screening | None = None

    def assessed(self) -> Assessment:
        """The assessment, for the nodes after `assess`."""
        if self.assessment is None:
            raise LookupError("the message has not been assessed")
        return self.assessment

    def planned(self) -> RoutePlan:
        """The plan, for the nodes after `route`."""
        if self.plan is None:
            raise LookupError("the message has not been routed")
        return self.plan
