"""The dispositions are declared once (agents/triage/levels.py): every reader derives from that declaration."""

from __future__ import annotations

import re

from agents.engines.openai_compat import LEVEL_TEXT
from agents.guard.judge import GROUPS
from agents.triage import Level, Urgency
from app.compliance_review import LEVEL_NAMES, URGENCY_NAMES
from app.hub import SessionSummary
from compliance.audit.query import LEVELS as STORED_LEVELS
from compliance.audit.query import URGENCIES as STORED_URGENCIES
from frontend.charts import LEVEL_COLORS


def test_the_audit_filters_accept_exactly_the_engines_levels_in_rank_order():
    # compliance/ may not import the engine (layer contract): its copy of the vocabulary is pinned here.
    assert tuple(level.value for level in Level) == STORED_LEVELS
    assert tuple(urgency.value for urgency in Urgency) == STORED_URGENCIES


def test_every_level_has_a_name_an_instruction_and_a_distinct_colour():
    assert set(LEVEL_NAMES) == set(LEVEL_TEXT) == set(LEVEL_COLORS) == {level.value for level in Level}
    assert len(set(LEVEL_COLORS.values())) == len(Level)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in LEVEL_COLORS.values())
    assert set(URGENCY_NAMES) == {urgency.value for urgency in Urgency}


def test_ranks_order_the_levels_and_unknown_values_sort_last():
    assert [level.rank for level in Level] == list(range(len(Level)))
    assert Level.rank_of("emergency") < Level.rank_of("self_care") < Level.rank_of(None) == Level.rank_of("bogus")
    assert Urgency.rank_of("em") < Urgency.rank_of("sc") < Urgency.rank_of(None)


def test_the_urgency_groups_partition_the_levels():
    assert [level for urgency in Urgency for level in urgency.levels] == list(Level)
    assert GROUPS["em"] == ("emergency_ambulance", "emergency")
    assert GROUPS["ne"] == ("consultation_24", "consultation")


def test_the_clinician_queue_puts_the_most_urgent_session_first():
    start = "2026-12-04T00:00:00+00:00"
    summaries = [SessionSummary(level.value, start, level=level.value, urgency=level.urgency.value) for level in Level]
    unknown = SessionSummary("unread", start)
    ordered = sorted([unknown, *reversed(summaries)], key=lambda s: s.sort_key())
    assert [s.session_id for s in ordered] == [*(level.value for level in Level), "unread"]
