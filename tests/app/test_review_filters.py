"""The compliance review's filters, on a real trail (SQLite, and PostgreSQL when it answers): a session by the
start of its id, actor, kind, disposition, status, consults apart from patients, newest first; and the form's
messages for values it cannot use."""

from __future__ import annotations

import pytest

from app.compliance_review import Review
from compliance.audit import AccessEvent, AuditTrail, EntryFilter, InvalidFilter
from tests.compliance.conftest import AUDIT_KEY, turn


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def trail(request, tmp_path):
    url = (
        request.getfixturevalue("postgres_schema_url")
        if request.param == "postgres"
        else f"sqlite:///{tmp_path / 'a.db'}"
    )
    trail = AuditTrail(url, AUDIT_KEY, checkpoint_every=0)
    trail.create_schema()
    trail.record_turn(turn("3f2a9c1e-aaaa", 0, urgency="em", level="emergency_ambulance"))
    trail.record_turn(turn("3f2a9c1e-aaaa", 1, urgency="sc", level="self_care", status="interrupted"))
    trail.record_turn(
        turn("3f2a9c1e-aaaa", 2, urgency="ne", level="consultation", audience="clinician", actor="dr.lee")
    )
    trail.record_turn(
        turn("3f2b0000-bbbb", 0, urgency="ne", level="consultation_24", status="error", error="EngineError")
    )
    trail.record_turn(turn("s_x", 0))  # `_` is a LIKE wildcard: a prefix must match it as itself
    trail.record_turn(turn("consult:3f2a9c1e-aaaa:1234", 0, audience="clinician"))  # filed before attribution
    trail.record_access(
        AccessEvent(
            actor="dr.lee",
            role="clinician",
            action="reply",
            target="3f2a9c1e-aaaa",
            session_id="3f2a9c1e-aaaa",
            detail={"redacted_text": "Come in today, <PERSON_1>."},
        )
    )
    yield trail
    trail.dispose()


def messages(trail: AuditTrail, **filters) -> list[str]:
    return [e.message_id or f"{e.kind}:{e.actor}" for e in trail.entries(EntryFilter(**filters))]


def test_a_session_by_the_start_of_its_id(trail):
    assert messages(trail, session_prefix="3f2a", kinds=("turn",)) == [
        "m-3f2a9c1e-aaaa-0",
        "m-3f2a9c1e-aaaa-1",
        "m-3f2a9c1e-aaaa-2",
    ]
    assert messages(trail, session_prefix="3f2", kinds=("turn",))[-1] == "m-3f2b0000-bbbb-0"
    assert messages(trail, session_prefix="s_") == ["m-s_x-0"]
    assert messages(trail, session_prefix="s%") == []


def test_disposition_status_actor_and_audience(trail):
    assert messages(trail, levels=("self_care", "consultation_24")) == ["m-3f2a9c1e-aaaa-1", "m-3f2b0000-bbbb-0"]
    assert messages(trail, statuses=("interrupted",)) == ["m-3f2a9c1e-aaaa-1"]
    assert messages(trail, statuses=("error", "timeout")) == ["m-3f2b0000-bbbb-0"]
    assert messages(trail, actor="dr.lee") == ["m-3f2a9c1e-aaaa-2", "access:dr.lee"]
    consults = messages(trail, audience="clinician")
    assert consults == ["m-3f2a9c1e-aaaa-2", "m-consult:3f2a9c1e-aaaa:1234-0"]
    patients = messages(trail, audience="patient")
    assert len(patients) == 4 and not set(patients) & set(consults)
    with pytest.raises(InvalidFilter, match="unknown level: urgent"):
        EntryFilter.parse(levels=("urgent",))


def test_newest_first_pages_with_before_seq(trail):
    where = EntryFilter(kinds=("turn",))
    first = trail.page(where, 4, newest_first=True)
    assert [e.seq for e in first] == sorted((e.seq for e in first), reverse=True)
    rest = trail.page(where.model_copy(update={"before_seq": first[-1].seq}), 4, newest_first=True)
    assert [e.seq for e in first + rest] == [e.seq for e in reversed(list(trail.entries(where)))]


def test_the_form_says_what_it_could_not_use_in_plain_words():
    review = Review.from_query({"since": "2026-02-30", "until": "yesterday", "level": "urgent", "session": " 3f2a "})
    text = " ".join(review.errors)
    assert "“2026-02-30” is not a date" in text and "“yesterday” is not a date" in text and "YYYY-MM-DD" in text
    assert "no disposition called “urgent”" in text
    assert "isoformat" not in text
    where = review.entry_filter()
    assert where.since is None and where.until is None and where.levels is None and where.session_prefix == "3f2a"
    inverted = Review.from_query({"since": "2026-03-02", "until": "2026-03-01"})
    assert inverted.errors == ["The From date (2026-03-02) is after the To date (2026-03-01); no dates were applied."]


def test_the_form_pages_newest_first_and_keeps_the_filter_in_its_links():
    review = Review.from_query({"actor": "Dr.Lee", "kind": "consult", "cursor": "40", "back": "0,60"})
    where = review.entry_filter()
    assert where.before_seq == 40 and where.after_seq is None and where.actor == "dr.lee"
    assert where.kinds == ("turn",) and where.audience == "clinician"
    assert review.chart_filter().audience == "patient" and review.chart_filter().before_seq is None
    link = review.page_link(20, [0, 60, 40])
    assert "actor=dr.lee" in link and "kind=consult" in link and "cursor=20" in link
    oldest = Review.from_query({"order": "oldest", "cursor": "40"}).entry_filter()
    assert oldest.after_seq == 40 and oldest.before_seq is None
