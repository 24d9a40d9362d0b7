"""Compliance review pages: events table (decisions and consults by default) with filters and paging, newest
first; per-session timeline; charts; exports.

Server-rendered from the audit trail (every page that shows records is itself recorded as an access event, as
the JSON API under /api/audit does); the chain's verification status and the downloads come from that API.
The filter form is app/compliance_review.py. Pages are in the request's language (app/page_locale.py): what
this module writes (event labels, chart titles, the filter's names and messages) is translated as it is made.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from agents.triage import Level
from app.auth import Principal
from app.compliance_review import KIND_NAMES, LEVEL_NAMES, STATUS_NAMES, URGENCY_NAMES, Review
from app.page_locale import page_locale
from app.page_rendering import staff_page
from compliance.audit import AccessAction, AccessEvent, AuditTrail, EntryFilter, StoredEntry, flat_turn
from frontend.charts import LEVEL_COLORS, SERIES_COLORS, Bar, Series, bar_chart, line_chart, percentile
from frontend.i18n import N_, Gettext, Message, gettext_for


def _same(message: str) -> str:
    return message


router = APIRouter(include_in_schema=False)

COMPLIANCE_ROLES = ("compliance", "admin")
PAGE_SIZE = 25
CHART_LIMIT = 50_000
LEVELS = tuple(level.value for level in Level)
PERCENTILES = (50, 90, 99)
#: What an access event's action was, for a reader.
ACTION_NAMES = {
    "view": N_("Viewed"),
    "list": N_("Listed decisions"),
    "reidentify": N_("Re-identified the patient's words"),
    "export": N_("Exported the trail"),
    "verify": N_("Verified the chain"),
    "purge": N_("Purged old entries"),
    "takeover": N_("Took the conversation over"),
    "release": N_("Handed the conversation back"),
    "reply": N_("Replied to the patient"),
    "assign": N_("Assigned the conversation"),
    "unassign": N_("Unassigned the conversation"),
    "resolve": N_("Resolved the conversation"),
    "reopen": N_("Reopened the conversation"),
    "account_create": N_("Created an account"),
    "account_disable": N_("Disabled an account"),
    "account_enable": N_("Enabled an account"),
    "account_password": N_("Set a new password"),
    "account_role": N_("Changed an account's role"),
}


def _access(
    request: Request,
    principal: Principal,
    action: AccessAction,
    target: str,
    session_id: str | None = None,
    **detail: str,
) -> AccessEvent:
    return AccessEvent(
        actor=principal.subject,
        role=principal.role,
        action=action,
        target=target,
        source=request.client.host if request.client else "",
        session_id=session_id,
        detail={"user_agent": request.headers.get("user-agent", "")[:200], "via": "compliance page", **detail},
    )


def event(entry: StoredEntry, _: Gettext = _same) -> dict[str, Any]:
    """One entry as the table and the timeline show it: what happened, who, and, for a turn, the decision
    (its words translated by `_`)."""
    base = {
        "seq": entry.seq,
        "audit_id": entry.audit_id,
        "kind": entry.kind,
        "recorded_at": entry.recorded_at,
        "session_id": entry.session_id,
        "actor": entry.actor,
    }
    content = entry.content
    if entry.kind == "turn":
        turn = flat_turn(content)
        consult = turn.get("audience") == "clinician"
        return {
            **turn,
            **base,
            "session_id": entry.session_id,
            "consult": consult,
            "label": _("Consult") if consult else _("Patient message"),
        }
    if entry.kind in ("access", "export"):
        access = content.get("access") or {}
        detail = access.get("detail") or {}
        action: str | None = access.get("action")
        return {
            **base,
            "label": _(named) if (named := ACTION_NAMES.get(action or "")) else action or entry.kind,
            "action": access.get("action"),
            "target": access.get("target"),
            "role": access.get("role"),
            "said": detail.get("redacted_text"),
            "detail": detail,
        }
    body = content.get(entry.kind) or content.get("error_event") or {}
    if entry.kind == "access_denied":
        return {
            **base,
            "label": _("Refused"),
            "target": body.get("target"),
            "note": f"{body.get('reason', '')} ({body.get('status', '')})",
        }
    if entry.kind == "consent":
        notice = Message(N_("notice {version}"), version=body.get("notice_version", ""))
        return {**base, "label": _("Agreed to the privacy notice"), "note": notice.translated(_)}
    if entry.kind == "error":
        return {**base, "label": _("Error"), "note": f"{body.get('where', '')}: {body.get('error_type', '')}"}
    return {**base, "label": entry.kind.replace("_", " ").capitalize()}


def charts(trail: AuditTrail, where: EntryFilter, _: Gettext = _same) -> dict[str, Any]:
    """Disposition mix (every disposition, also at zero) and latency percentiles per period, over the patients'
    decisions that match (the latest CHART_LIMIT); words translated by `_`."""
    levels: Counter[str] = Counter()
    first_token: dict[str, list[float]] = defaultdict(list)
    total: dict[str, list[float]] = defaultdict(list)
    entries = list(trail.entries(where))[-CHART_LIMIT:]
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
    bars = [Bar(_(LEVEL_NAMES[level]), levels[level], LEVEL_COLORS[level]) for level in LEVELS]
    if levels["unassessed"]:
        bars.append(Bar(_("Not assessed"), levels["unassessed"], "#52606d"))
    labels = list(total)
    table: list[dict[str, Any]] = [
        {
            "period": label,
            "count": len(total[label]),
            **{f"ft{p}": percentile(first_token[label], p) for p in PERCENTILES},
            **{f"tt{p}": percentile(total[label], p) for p in PERCENTILES},
        }
        for label in labels
    ]
    counts = [row["count"] for row in table]

    def lines(prefix: str) -> list[Series]:
        return [
            Series(f"p{p}", [row[f"{prefix}{p}"] for row in table], color)
            for p, color in zip(PERCENTILES, SERIES_COLORS, strict=True)
        ]

    return {
        "mix_svg": bar_chart(bars, title=_("Disposition mix"), chart_id="mix", gettext=_),
        "mix": [{"label": b.label, "value": b.value} for b in bars],
        "first_token_svg": line_chart(
            labels,
            lines("ft"),
            title=_("Time to first token, percentiles"),
            chart_id="ftl",
            counts=counts,
            gettext=_,
        ),
        "total_svg": line_chart(
            labels, lines("tt"), title=_("Total answer time, percentiles"), chart_id="ttl", counts=counts, gettext=_
        ),
        "latency": table,
        "period": "hour" if hourly else "day",
    }


@router.get("/compliance", response_class=HTMLResponse)
async def compliance_page(request: Request) -> HTMLResponse:
    review = Review.from_query(request.query_params)
    _ = gettext_for(page_locale(request))

    def build(principal: Principal) -> dict[str, Any]:
        trail: AuditTrail = request.app.state.trail
        where = review.entry_filter()
        typed = urlencode({k: v for k, v in review.fields().items() if v})
        trail.record_access(_access(request, principal, "list", "decisions", None, filter=typed[:500]))
        rows = trail.page(where, PAGE_SIZE + 1, newest_first=review.newest_first)
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        total = trail.count(review.entry_filter(paged=False))
        position = total - trail.count(where) if review.cursor is not None else 0
        back = [*review.back, review.cursor or 0]
        return {
            "rows": [event(e, _) for e in rows],
            "total": total,
            "first": position + 1 if rows else 0,
            "last": position + len(rows),
            "next_link": review.page_link(rows[-1].seq, back) if more else None,
            "prev_link": review.page_link(review.back[-1] or None, review.back[:-1])
            if review.cursor is not None
            else None,
            "export_query": urlencode(review.api_params()),
            "charts": charts(trail, review.chart_filter(), _),
            "order_link": review.order_link("oldest" if review.newest_first else "newest"),
        }

    context = {
        "title": N_("Compliance review"),
        "active": "compliance",
        "review": review,
        "filter_errors": [e.translated(_) if isinstance(e, Message) else e for e in review.errors],
        **names(_),
    }
    return await staff_page(request, "compliance.html", COMPLIANCE_ROLES, context, build)


def names(_: Gettext) -> dict[str, dict[str, str]]:
    """The filter's and the table's names for codes, translated."""
    return {
        "level_names": {k: _(v) for k, v in LEVEL_NAMES.items()},
        "urgency_names": {k: _(v) for k, v in URGENCY_NAMES.items()},
        "status_names": {k: _(v) for k, v in STATUS_NAMES.items()},
        "kind_names": {k: _(v) for k, v in KIND_NAMES.items()},
    }


@router.get("/compliance/sessions/{session_id}", response_class=HTMLResponse)
async def session_page(request: Request, session_id: str) -> HTMLResponse:
    _ = gettext_for(page_locale(request))

    def build(principal: Principal) -> dict[str, Any]:
        trail: AuditTrail = request.app.state.trail
        trail.record_access(_access(request, principal, "view", f"session:{session_id}", session_id))
        events = [event(entry, _) for entry in trail.entries(EntryFilter(session_id=session_id))]
        return {"events": events, "export_query": urlencode({"session": session_id})}

    context = {
        "title": Message(N_("Session {id}"), id=session_id[:8]).translated(_),
        "active": "compliance",
        "session_id": session_id,
        **names(_),
    }
    return await staff_page(request, "compliance_session.html", COMPLIANCE_ROLES, context, build)
