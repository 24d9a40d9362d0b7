"""Check the knowledge files: ``python -m agents.triage.knowledge.check`` (exit 1 on any problem)."""

from __future__ import annotations

import sys
from collections import Counter

from agents.triage.knowledge import KnowledgeError, problems, read


def main() -> int:
    try:
        kb = read()
    except KnowledgeError as exc:
        print(f"knowledge: {exc}", file=sys.stderr)
        return 1
    found = problems(kb)
    for line in found:
        print(line, file=sys.stderr)
    kinds = Counter(c.kind for c in kb.concepts.values())
    levels = Counter(c.level.value for c in kb.conditions.values())
    terms = sum(len(c.terms) for c in kb.concepts.values()) + sum(len(c.named) for c in kb.conditions.values())
    print(
        f"knowledge {kb.version}: {len(kb.concepts)} concepts {dict(kinds)}, {len(kb.conditions)} conditions "
        f"{dict(levels)}, {terms} terms, {len(found)} problems"
    )
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
