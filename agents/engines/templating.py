"""Jinja2 environment for prompts and local answers, loaded once."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

_TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,  # noqa: S701 - plain text for engines and the chat stream; the browser escapes on display
    )


@cache
def template(name: str) -> Template:
    return _environment().get_template(name)


@cache
def localised(name: str, language: str) -> Template:
    """The template in the answer's language (``templates/<language>/<name>``), else the English one."""
    if language != "en" and (_TEMPLATES / language / name).exists():
        return template(f"{language}/{name}")
    return template(name)
