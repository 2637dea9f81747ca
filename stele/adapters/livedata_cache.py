"""The last good result of each live-data source on disk, with the validators of its
requests, so a restart without network shows it (with its old "Stand:" time) and the first
request after a restart can still be answered with 304.

One JSON file per source URL, written atomically (temporary file, fsync, rename).
A file that cannot be read is reported and treated as absent, never shown half.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from stele.adapters import atomic
from stele.adapters.livedata_http import Validators
from stele.domain.livedata import LiveData

log = logging.getLogger(__name__)


@dataclass
class Entry:
    data: LiveData | None = None
    validators: dict[str, Validators] = field(default_factory=dict)  # per request URL


class LiveCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def file(self, source_url: str) -> Path:
        return self.root / (hashlib.sha256(source_url.encode()).hexdigest()[:32] + ".json")

    def load(self, source_url: str) -> Entry:
        path = self.file(source_url)
        try:
            doc = json.loads(path.read_bytes())
            data = LiveData.model_validate(doc["data"]) if doc.get("data") else None
            if data is not None and data.source_url != source_url:
                raise ValueError("file belongs to another source")
            validators = {
                url: Validators(v.get("etag"), v.get("last_modified"))
                for url, v in (doc.get("validators") or {}).items()
            }
        except FileNotFoundError:
            return Entry()
        except (OSError, ValueError, KeyError, TypeError, AttributeError, ValidationError) as exc:
            log.warning("live-data cache %s unreadable, ignored: %s", path, str(exc)[:200])
            return Entry()
        return Entry(data, validators)

    def save(self, source_url: str, entry: Entry) -> None:
        doc = {
            "data": entry.data.model_dump(mode="json") if entry.data else None,
            "validators": {
                url: {"etag": v.etag, "last_modified": v.last_modified}
                for url, v in entry.validators.items()
            },
        }
        self.root.mkdir(parents=True, exist_ok=True)
        atomic.write_atomic(self.file(source_url), json.dumps(doc, ensure_ascii=False).encode())
