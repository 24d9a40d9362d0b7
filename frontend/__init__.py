"""Templates and static assets for the web front ends."""

from pathlib import Path

FRONTEND_DIR = Path(__file__).parent
TEMPLATES_DIR = FRONTEND_DIR / "templates"
STATIC_DIR = FRONTEND_DIR / "static"
