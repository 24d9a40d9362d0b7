"""The privacy notice a patient agrees to before the first message (settings `privacy_notice`, `privacy_notice_ja`,
`privacy_url`).

Its version is a hash of its text and link: the `session` frame carries it, the widget sends it back with the
patient's consent, and the audit trail records which version was agreed to (compliance/audit/consent.py).
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict

from app.settings import Settings
from compliance.language import detect


class PrivacyNotice(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    url: str | None
    version: str

    @classmethod
    def of(cls, settings: Settings, lang: str | None = None) -> PrivacyNotice:
        """The notice for a widget in `lang` (a language tag): the clinic's Japanese notice where it has one."""
        own = settings.privacy_notice_ja if detect("", lang) == "ja" else ""
        text = " ".join((own or settings.privacy_notice).split())
        url = settings.privacy_url.strip() or None
        version = hashlib.sha256(f"{text}\n{url or ''}".encode()).hexdigest()[:12]
        return cls(text=text, url=url, version=version)

    def frame(self) -> dict[str, str | None]:
        """As the `session` frame's `privacy` field."""
        return {"text": self.text, "url": self.url, "version": self.version}
