"""One Sudachi dictionary per process: the Japanese redactor loads it, the clinical engine's Japanese reader reads
with the same one (each loaded its own copy before: about 60 MiB a process, each worker included).

The engine imports nothing of the project and the redactor nothing of the engine, so the service hands the one to
the other at start-up, before the engine reads its first Japanese message (app/heap.py warms it)."""

from __future__ import annotations

from agents.triage.japanese import readings
from compliance.phi import Redactor


def share(redactor: Redactor) -> None:
    """Give the engine's reader the redactor's dictionary when it is the one the reader uses (another configured
    dictionary is left to the redactor: the reader's knowledge was built against ``core``)."""
    name, dictionary = redactor.japanese_dictionary
    if name == readings.DICTIONARY_NAME:
        readings.share_dictionary(dictionary)
