"""The compliance review's filter form: what the officer typed, what it means for the trail, and why a value
was not applied (in words a person can act on, never a parser's message).

Days are UTC: `since` from the start of its day, `until` through the end of its day. The session field takes
the start of an id (the table shows ids cut short). The table is newest first unless `order=oldest`; paging
is by keyset (`cursor`: the last row's seq; `back`: the cursors of the pages before, for "Previous").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from agents.triage import Level, Urgency
from compliance.audit import KINDS, URGENCIES, EntryFilter, InvalidFilter
from compliance.audit.query import LEVELS, STATUSES
from frontend.i18n import N_, Message

# Names and messages are English msgids (N_, Message): the page shows them in its own language.
LEVEL_NAMES = {level.value: level.info.label for level in Level}
URGENCY_NAMES = {urgency.value: urgency.info.label for urgency in Urgency}
STATUS_NAMES = {
    "complete": N_("Complete"),
    "interrupted": N_("Interrupted"),
    "error": N_("Error"),
    "timeout": N_("Timed out"),
}
#: The event kinds offered, by what they are to a reader. "" (the default) is every turn: patients' messages
#: and clinicians' consults; "decision" and "consult" split them; the rest are the trail's own kinds.
KIND_NAMES = {
    "": N_("Decisions and consults"),
    "decision": N_("Patient decisions"),
    "consult": N_("Clinician consults"),
    "access": N_("Views and clinician actions"),
    "export": N_("Exports"),
    "access_denied": N_("Refusals"),
    "error": N_("Errors"),
    "consent": N_("Privacy consents"),
    "checkpoint": N_("Checkpoints"),
    "all": N_("Every event"),
}
ORDERS = ("newest", "oldest")
DATE_EXAMPLE = "2026-12-04"


@dataclass
class Review:
    """The filter form as typed, and what it means for the trail."""

    since: str = ""
    until: str = ""
    urgency: str = ""
    level: str = ""
    status: str = ""
    kind: str = ""
    actor: str = ""
    session: str = ""
    order: str = "newest"
    cursor: int | None = None
    back: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _bounds: tuple[datetime | None, datetime | None] = (None, None)

    @classmethod
    def from_query(cls, query: Any) -> Review:
        def value(name: str, limit: int = 64) -> str:
            return str(query.get(name, "")).strip()[:limit]

        review = cls(
            since=value("since", 32),
            until=value("until", 32),
            urgency=value("urgency"),
            level=value("level"),
            status=value("status"),
            kind=value("kind"),
            actor=value("actor", 128).lower(),
            session=value("session"),
            order=value("order") or "newest",
        )
        try:
            review.cursor = int(query["cursor"]) if query.get("cursor") else None
            review.back = [int(v) for v in str(query.get("back", "")).split(",") if v][-50:]
        except ValueError:
            review.cursor, review.back = None, []
        for name, known, label in (
            ("urgency", URGENCIES, N_("urgency")),
            ("level", LEVELS, N_("disposition")),
            ("status", STATUSES, N_("status")),
            ("kind", KIND_NAMES, N_("event kind")),
            ("order", ORDERS, N_("order")),
        ):
            typed = getattr(review, name)
            if typed and typed not in known:
                review.errors.append(
                    Message(
                        N_("There is no {field} called “{typed}”; it was not applied."),
                        field=Message(label),
                        typed=typed,
                    )
                )
                setattr(review, name, "newest" if name == "order" else "")
        review._bounds = review._read_days()
        return review

    def _read_days(self) -> tuple[datetime | None, datetime | None]:
        since, since_ok = _day(self.since, N_("From"))
        until, until_ok = _day(self.until, N_("To"))
        for problem in (since_ok, until_ok):
            if problem:
                self.errors.append(problem)
        start = datetime.combine(since, time(), UTC) if since else None
        end = datetime.combine(until, time(), UTC) + timedelta(days=1) if until else None
        if start and end and start >= end:
            self.errors.append(
                Message(
                    N_("The From date ({since}) is after the To date ({until}); no dates were applied."),
                    since=self.since,
                    until=self.until,
                )
            )
            return None, None
        return start, end

    @property
    def newest_first(self) -> bool:
        return self.order != "oldest"

    def entry_filter(self, *, paged: bool = True) -> EntryFilter:
        """The typed filter as the trail reads it (`paged`: only what comes after this page's cursor)."""
        since, until = self._bounds
        kinds, audience = _kind(self.kind)
        cursor = (
            {}
            if not paged or self.cursor is None
            else ({"before_seq": self.cursor} if self.newest_first else {"after_seq": self.cursor})
        )
        try:
            return EntryFilter.parse(
                since=since,
                until=until,
                urgency=self.urgency or None,
                levels=(self.level,) if self.level else None,
                statuses=(self.status,) if self.status else None,
                actor=self.actor or None,
                session_prefix=self.session or None,
                kinds=kinds,
                audience=audience,
                **cursor,
            )
        except InvalidFilter as exc:  # every value was checked above: only a bug lands here
            self.errors.append(f"The filter could not be applied: {exc}")
            return EntryFilter(kinds=("turn",))

    def chart_filter(self) -> EntryFilter:
        """The charts count patients' decisions only (a consult is a clinician's question, not a disposition),
        within the same dates, session, urgency, disposition and status."""
        return self.entry_filter(paged=False).model_copy(
            update={"kinds": ("turn",), "audience": "patient", "actor": None}
        )

    def fields(self) -> dict[str, str]:
        return {
            "since": self.since,
            "until": self.until,
            "urgency": self.urgency,
            "level": self.level,
            "status": self.status,
            "kind": self.kind,
            "actor": self.actor,
            "session": self.session,
            "order": "" if self.order == "newest" else self.order,
        }

    def api_params(self) -> dict[str, str]:
        """The same filter as /api/audit/export's query parameters (the download buttons)."""
        since, until = self._bounds
        kinds, audience = _kind(self.kind) if self.kind else (None, None)  # default: the whole trail, as before
        params = {
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
            "urgency": self.urgency,
            "level": self.level,
            "status": self.status,
            "actor": self.actor,
            "session_prefix": self.session,
            "kind": kinds[0] if kinds and len(kinds) == 1 else "",
            "audience": audience or "",
        }
        return {k: v for k, v in params.items() if v}

    def page_link(self, cursor: int | None, back: list[int]) -> str:
        params = {**self.fields(), "cursor": "" if cursor is None else str(cursor), "back": ",".join(map(str, back))}
        return "/compliance?" + urlencode({k: v for k, v in params.items() if v})

    def order_link(self, order: str) -> str:
        return "/compliance?" + urlencode({k: v for k, v in {**self.fields(), "order": order}.items() if v})


def _day(typed: str, label: str) -> tuple[date | None, Message | None]:
    if not typed:
        return None, None
    try:
        return date.fromisoformat(typed), None
    except ValueError:
        return None, Message(
            N_(
                "The {field} date “{typed}” is not a date this page can read; write it as YYYY-MM-DD "
                "(for example {example}). It was not applied."
            ),
            field=Message(label),
            typed=typed,
            example=DATE_EXAMPLE,
        )


def _kind(kind: str) -> tuple[tuple[str, ...] | None, str | None]:
    """The trail's kinds and audience for a choice of the form's kind field."""
    if kind == "all":
        return None, None
    if kind in ("", "decision", "consult"):
        return ("turn",), {"": None, "decision": "patient", "consult": "clinician"}[kind]
    return ((kind,) if kind in KINDS else ("turn",)), None
