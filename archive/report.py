"""What a batch command did: counts, and every rejected input with its reasons."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Rejection:
    source: str
    reasons: list[str]
    files: list[Path] = field(default_factory=list)


@dataclass
class Summary:
    new: list[str] = field(default_factory=list)        # item ids
    updated: list[str] = field(default_factory=list)    # item ids
    unchanged: list[str] = field(default_factory=list)  # sources
    rejected: list[Rejection] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)
    files_stored: int = 0

    def lines(self) -> list[str]:
        out = [f"new: {len(self.new)}  updated: {len(self.updated)}  unchanged: {len(self.unchanged)}  "
               f"rejected: {len(self.rejected)}  (originals stored: {self.files_stored}, "
               f"files ignored: {len(self.ignored)})"]
        out += [f"REJECTED {r.source}: " + "; ".join(r.reasons) for r in self.rejected]
        return out

    def as_report(self) -> dict:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": [{"source": r.source, "reasons": r.reasons} for r in self.rejected],
                "ignored": [str(p) for p in self.ignored]}
