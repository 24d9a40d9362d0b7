"""Compliance review pages: decisions table with filters and paging, per-session timeline, charts, exports.

Server-rendered from the audit trail (every page that shows records is itself recorded as an access event, as
the JSON API under /api/audit does); the chain's verification status and the downloads come from that API.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.auth import Principal
from app.routes.staff_pages import staff_page
from compliance.audit import URGENCIES, AccessEvent, AuditTrail, EntryFilter, InvalidFilter, StoredEntry, flat_turn
from frontend.charts import LEVEL_COLORS, SERIES_COLORS, Bar, Series, bar_chart, line_chart, percentile

router = APIRouter(include_in_schema=False)

COMPLIANCE_ROLES = ("compliance", "admin")
PAGE_SIZE = 25
CHART_LIMIT = 50_000
LEVELS = tuple(LEVEL_COLORS)
LEVEL_NAMES = {
    "emergency_ambulance": "Ambulance", "emergency": "Emergency dept.", "consultation_24": "Doctor within 24 h",
    "consultation": "Doctor (routine)", "self_care": "Self-care",
}
PERCENTILES = (50, 90, 99)


@dataclass
class Review:
    """The filter form as typed, and what it means for the trail."""

    since: str = ""
    until: str = ""
    urgency: str = ""
    session: str = ""
    cursor: int | None = None
    back: list[int] = field(default_factory=list)
    error: str | None = None

    @classmethod
    def from_query(cls, query: Any) -> Review:
        review = cls(
            since=query.get("since", "").strip(), until=query.get("until", "").strip(),
            urgency=query.get("urgency", "").strip(), session=query.get("session", "").strip()[:64],
        )
        try:
            review.cursor = int(query["cursor"]) if query.get("cursor") else None
            review.back = [int(v) for v in query.get("back", "").split(",") if v][-50:]
        except ValueError:
            review.cursor, review.back = None, []
        if review.urgency and review.urgency not in URGENCIES:
            review.error, review.urgency = f"unknown urgency {review.urgency!r}", ""
        return review

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """`since` from the start of its day, `until` through the end of its day (UTC)."""
        since = datetime.combine(date.fromisoformat(self.since), time(), UTC) if self.since else None
        until = datetime.combine(date.fromisoformat(self.until), time(), UTC) + timedelta(days=1) if self.until else None
        return since, until

    def entry_filter(self, *, after_seq: int | None = None) -> EntryFilter:
        try:
            since, until = self.bounds()
            return EntryFilter.parse(since=since, until=until, urgency=self.urgency or None,
                                     session_id=self.session or None, kinds=("turn",), after_seq=after_seq)
        except (ValueError, InvalidFilter) as exc:
            self.error = str(exc)
            self.since = self.until = ""
            return EntryFilter(urgency=self.urgency or None, session_id=self.session or None, kinds=("turn",), after_seq=after_seq)

    def api_params(self) -> dict[str, str]:
        """The same filter as the /api/audit query parameters (for exports and links)."""
        since, until = self.bounds() if not self.error else (None, None)
        params = {"since": since.isoformat() if since else "", "until": until.isoformat() if until else "",
                  "urgency": self.urgency, "session": self.session}
        return {k: v for k, v in params.items() if v}

    def page_link(self, cursor: int | None, back: list[int]) -> str:
        params = {"since": self.since, "until": self.until, "urgency": self.urgency, "session": self.session,
                  "cursor": "" if cursor is None else str(cursor), "back": ",".join(map(str, back))}
        return "/compliance?" + urlencode({k: v for k, v in params.items() if v})


def _access(request: Request, principal: Principal, action: str, target: str, session_id: str | None = None) -> AccessEvent:
    return AccessEvent(
        actor=principal.subject, role=principal.role, action=action, target=target,
        source=request.client.host if request.client else "", session_id=session_id,
        detail={"user_agent": request.headers.get("user-agent", "")[:200], "via": "compliance page"},
    )


def _row(entry: StoredEntry) -> dict[str, Any]:
    turn = flat_turn(entry.content)
    return {**turn, "seq": entry.seq, "audit_id": entry.audit_id, "recorded_at": entry.recorded_at}


def charts(trail: AuditTrail, where: EntryFilter) -> dict[str, Any]:
    """Disposition mix and latency percentiles per period, over the filtered decisions (the latest CHART_LIMIT)."""
    levels: Counter[str] = Counter()
    first_token: dict[str, list[float]] = defaultdict(list)
    total: dict[str, list[float]] = defaultdict(list)
    entries = list(trail.entries(where.model_copy(update={"after_seq": None})))[-CHART_LIMIT:]
    hourly = bool(entries) and entries[-1].recorded_at - entries[0].recorded_at <= timedelta(hours=48)
    for entry in entries:
        levels[entry.level or "unassessed"] += 1
        bucket = entry.recorded_at.strftime("%m-%d %H:00" if hourly else "%Y-%m-%d")
        response = entry.content.get("response") or {}
        total[bucket]  # every period gets a point on the x axis, even without timings
        if response.get("first_token_ms") is not None:
            first_token[bucket].append(response["first_token_ms"])
        if response.get("total_ms") is not None:
            total[bucket].append(response["total_ms"])
    bars = [Bar(LEVEL_NAMES[level], levels[level], LEVEL_COLORS[level]) for level in LEVELS if levels[level]]
    if levels["unassessed"]:
        bars.append(Bar("Not assessed", levels["unassessed"], "#52606d"))
    labels = list(total)
    table = [
        {"period": label, "count": len(total[label]),
         **{f"ft{p}": percentile(first_token[label], p) for p in PERCENTILES},
         **{f"tt{p}": percentile(total[label], p) for p in PERCENTILES}}
        for label in labels
    ]

    def lines(prefix: str) -> list[Series]:
        return [Series(f"p{p}", [row[f"{prefix}{p}"] for row in table], color)
                for p, color in zip(PERCENTILES, SERIES_COLORS, strict=True)]

    return {
        "mix_svg": bar_chart(bars, title="Disposition mix", chart_id="mix"),
        "mix": [{"label": b.label, "value": b.value} for b in bars],
        "first_token_svg": line_chart(labels, lines("ft"), title="Time to first token, percentiles", chart_id="ftl"),
        "total_svg": line_chart(labels, lines("tt"), title="Total answer time, percentiles", chart_id="ttl"),
        "latency": table,
        "period": "hour" if hourly else "day",
    }


@router.get("/compliance", response_class=HTMLResponse)
async def compliance_page(request: Request) -> HTMLResponse:
    review = Review.from_query(request.query_params)

    def build(principal: Principal) -> dict[str, Any]:
        trail: AuditTrail = request.app.state.trail
        where = review.entry_filter(after_seq=review.cursor)
        trail.record_access(_access(request, principal, "list", "decisions", review.session or None))
        rows = trail.page(where, PAGE_SIZE + 1)
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        total = trail.count(where.model_copy(update={"after_seq": None}))
        position = total - trail.count(where) if review.cursor is not None else 0
        back = [*review.back, review.cursor or 0]
        return {
            "rows": [_row(e) for e in rows], "total": total, "first": position + 1 if rows else 0,
            "last": position + len(rows),
            "next_link": review.page_link(rows[-1].seq, back) if more else None,
            "prev_link": review.page_link(review.back[-1] or None, review.back[:-1]) if review.cursor is not None else None,
            "export_query": urlencode(review.api_params()), "charts": charts(trail, where),
        }

    context = {"title": "Compliance review", "active": "compliance", "review": review, "urgencies": URGENCIES,
               "level_names": LEVEL_NAMES}
    return await staff_page(request, "compliance.html", COMPLIANCE_ROLES, context, build)


@router.get("/compliance/sessions/{session_id}", response_class=HTMLResponse)
async def session_page(request: Request, session_id: str) -> HTMLResponse:
    def build(principal: Principal) -> dict[str, Any]:
        trail: AuditTrail = request.app.state.trail
        trail.record_access(_access(request, principal, "view", f"session:{session_id}", session_id))
        events = []
        for entry in trail.entries(EntryFilter(session_id=session_id)):
            item = flat_turn(entry.content) if entry.kind == "turn" else {"access": entry.content.get("access") or {}}
            events.append({**item, "seq": entry.seq, "audit_id": entry.audit_id, "kind": entry.kind,
                           "recorded_at": entry.recorded_at})
        return {"events": events, "export_query": urlencode({"session": session_id})}

    context = {"title": f"Session {session_id[:8]}", "active": "compliance", "session_id": session_id,
               "level_names": LEVEL_NAMES}
    return await staff_page(request, "compliance_session.html", COMPLIANCE_ROLES, context, build)
