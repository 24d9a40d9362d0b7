"""axe-core in the browser tests: run it on any page (the widget's open shadow root included) and fail on what
it finds.

axe-core comes from npm (tests/browser/package.json, pinned by package-lock.json; `make test` runs `npm ci`
there). It is put into the page through the DevTools protocol (`page.evaluate` of the file's text), which a
page's Content-Security-Policy does not govern, so the pages are checked under their real CSP.

    from tests.browser.axe import assert_accessible
    assert_accessible(page)                           # no serious or critical finding on the whole page
    assert_accessible(page, include=".triage-widget-host", rules_absent=("listitem",))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.services import unavailable

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")


def axe_source() -> str:
    if not AXE_JS.exists():  # skips on a laptop without npm; fails in CI, where `make test` installs it
        unavailable("axe-core is not installed for the browser tests", fix="make tests/browser/node_modules/.installed")
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page: Any, include: str | None = None) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (or within `include`, a CSS selector), default rule set."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source() + "\n;undefined")
    result = page.evaluate(
        """async (include) => {
            const context = include ? { include: [include] } : document;
            const found = await axe.run(context, { resultTypes: ["violations"] });
            return found.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
            }));
        }""",
        include,
    )
    return result


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} x{len(v['nodes'])} ({v['help']})")
        lines.extend(f"    {n['target']}: {(n['summary'] or '').splitlines()[-1].strip()}" for n in v["nodes"][:5])
    return "\n".join(lines)


def assert_accessible(
    page: Any,
    *,
    include: str | None = None,
    impacts: tuple[str, ...] = FAILING_IMPACTS,
    rules_absent: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """No finding of these impacts (serious or critical by default), nor of the rules named in `rules_absent`
    whatever their impact; returns every violation found, for further checks."""
    violations = run_axe(page, include)
    failing = [v for v in violations if v["impact"] in impacts or v["id"] in rules_absent]
    assert not failing, f"axe-core findings on {page.url}:\n{describe(failing)}"
    return violations
