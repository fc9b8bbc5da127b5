"""Choosing a correction for an unknown word, the same way whatever backend proposed the candidates."""
from __future__ import annotations

MIN_WORD = 4       # shorter words are not corrected (Elasticsearch's term suggester default)
MAX_EDITS = 2
PREFIX = 1         # the first letter is taken as typed
MIN_SIMILARITY = 0.5


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def acceptable(word: str, candidate: str) -> int | None:
    """The edit distance when ``candidate`` may replace ``word``, else None.

    Backends may propose more (Elasticsearch counts a transposition as one edit); this check is the same for both.
    """
    if candidate == word or candidate[:PREFIX] != word[:PREFIX]:
        return None
    distance = levenshtein(word, candidate)
    if distance > MAX_EDITS or 1 - distance / min(len(word), len(candidate)) < MIN_SIMILARITY:
        return None
    return distance


def best(word: str, counts: dict[str, int]) -> str | None:
    """The closest candidate found in visible items; ties go to the more frequent, then the first in order."""
    ranked = sorted((distance, -count, candidate) for candidate, count in counts.items()
                    if count > 0 and (distance := acceptable(word, candidate)) is not None)
    return ranked[0][2] if ranked else None
