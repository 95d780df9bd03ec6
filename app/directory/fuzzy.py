""" "Did you mean": the closest name words of the store for a word that matches nothing.

The vocabulary is every name word the store has seen (its ``vocab`` table), read once and
kept until the store grows; candidates are ranked with ``rapidfuzz`` (imported here, off
the first frame) by optimal-string-alignment distance — a swapped pair of letters counts
as one edit, so ``jonh`` finds ``john`` and ``mraia`` finds ``maria`` — against the whole
word and against its start (``lovelc`` finds ``lovelace``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.directory.store import DirectoryStore

__all__ = ["Vocabulary"]


def _budget(word: str) -> int:
    """Edits allowed: none below 3 letters, 1 up to 5, then 2."""
    if len(word) < 3:
        return 0
    return 1 if len(word) <= 5 else 2


class Vocabulary:
    """The store's name words, for suggestions."""

    def __init__(self, store: DirectoryStore) -> None:
        self._store = store
        self._words: list[str] = []
        self._generation = -1
        self._heads: dict[int, list[str]] = {}

    def _refresh(self) -> None:
        store = self._store
        if self._generation == store.generation:
            return
        self._words = sorted(store.vocabulary())
        self._heads = {}
        self._generation = store.generation

    def suggest(self, word: str) -> str | None:
        """The closest known name word to ``word``, or ``None`` when none is close."""
        budget = _budget(word)
        if budget == 0:
            return None
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        self._refresh()
        words = self._words
        if not words:
            return None
        best: tuple[int, int, str] | None = None
        found = process.extract(word, words, scorer=OSA.distance, score_cutoff=budget, limit=8)
        for candidate, distance, _ in found:
            rank = (int(distance), abs(len(candidate) - len(word)), candidate)
            if best is None or rank < best:
                best = rank
        if best is None:
            heads = self._heads.get(len(word))
            if heads is None:
                heads = [w[: len(word)] for w in words]
                self._heads[len(word)] = heads
            found = process.extract(word, heads, scorer=OSA.distance, score_cutoff=budget, limit=8)
            for _head, distance, index in found:
                candidate = words[index]
                rank = (int(distance) + 1, len(candidate), candidate)
                if best is None or rank < best:
                    best = rank
        return None if best is None or best[2] == word else best[2]
