"""Build the Japanese PHI sets (bench/data/phi_ja_own.jsonl, phi_ja_fresh.jsonl) from their hand-written,
marked-up sources (the .txt files of the same names).

    python -m bench.make_phi_ja_set [SOURCE.txt ...]

Source lines are `voice|text`; in the text, PHI is marked ⟦TYPE:value⟧ and clinical spans that must survive
⟪kind:value⟫ (blank lines and lines starting with # are skipped). The output has the format of
bench/data/phi_fresh.jsonl: {"id", "voice", "text", "phi": [{start, end, type, value}], "keep": [{start, end,
kind, value}]}, offsets into the text without its marks.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = (HERE / "data" / "phi_ja_own.txt", HERE / "data" / "phi_ja_fresh.txt")
MARK = re.compile(r"⟦(?P<type>[A-Z_]+):(?P<phi>[^⟧]+)⟧|⟪(?P<kind>[a-z_]+):(?P<keep>[^⟫]+)⟫")


def parse(line: str, number: int, prefix: str) -> dict:
    voice, _, marked = line.partition("|")
    text_parts: list[str] = []
    phi: list[dict] = []
    keep: list[dict] = []
    position = length = 0
    for match in MARK.finditer(marked):
        text_parts.append(marked[position : match.start()])
        length += match.start() - position
        value = match.group("phi") or match.group("keep")
        start, end = length, length + len(value)
        if match.group("type"):
            phi.append({"start": start, "end": end, "type": match.group("type"), "value": value})
        else:
            keep.append({"start": start, "end": end, "kind": match.group("kind"), "value": value})
        text_parts.append(value)
        length = end
        position = match.end()
    text_parts.append(marked[position:])
    text = "".join(text_parts)
    if "⟦" in text or "⟪" in text:
        raise ValueError(f"line {number}: an unclosed mark")
    return {"id": f"{prefix}-{number:04d}", "voice": voice.strip(), "text": text, "phi": phi, "keep": keep}


def build(source: Path) -> Path:
    lines = [
        line for line in source.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")
    ]
    prefix = source.stem.removeprefix("phi_").replace("_", "-")
    rows = [parse(line, number, prefix) for number, line in enumerate(lines)]
    out = source.with_suffix(".jsonl")
    out.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    print(
        f"{len(rows)} messages, {sum(len(r['phi']) for r in rows)} PHI spans, {sum(len(r['keep']) for r in rows)} clinical spans -> {out}"
    )
    return out


def main(argv: list[str] | None = None) -> int:
    sources = [Path(arg) for arg in (sys.argv[1:] if argv is None else argv)] or list(SOURCES)
    for source in sources:
        build(source)
    return 0


if __name__ == "__main__":
    sys.exit(main())
