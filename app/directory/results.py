"""A search's answer as the screen reads it: the customers, how many, from where, and
what was searched."""

from __future__ import annotations

from dataclasses import dataclass

from app.directory.answers import Answer

__all__ = ["SearchResults"]


@dataclass(frozen=True)
class SearchResults:
    """A ranked answer: every match in ``customers`` (an :class:`Answer`, read from the
    store as rows are shown), ``total`` of them.

    ``source`` says where they came from: ``"index"`` (the store only), ``"api"`` (only
    SearchCustomers), ``"index+api"`` (both, merged), or ``"none"`` (nothing was asked:
    a malformed query). ``error`` is a message for the agent when part of the search
    failed or was refused; whatever could still be found is in ``customers``.
    ``covers`` is ``(held, Square's count)`` when the store did not yet hold every
    customer (a load under way): the answer covers only those. ``suggestion`` is the
    corrected text when no customer matched the words typed and a close spelling did
    ("did you mean"); the customers are then those of the suggestion."""

    customers: Answer
    total: int
    source: str
    error: str | None = None
    covers: tuple[int, int | None] | None = None
    suggestion: str | None = None
    sort: str = "relevance"

    @property
    def partial(self) -> bool:
        """Whether the answer covers only part of the seller's customers."""
        return self.covers is not None

    def searched(self) -> str:
        """What the answer searched, for a sentence: ``"all 2,500 customers"``,
        ``"the 45,000 of 100,000 customers loaded so far"``…"""
        if self.source == "api":
            return "Square's customers"
        if self.covers is None:
            return "all customers held"
        held, total = self.covers
        if total is None:
            return f"the {held:,} customers loaded so far"
        return f"the {held:,} of {total:,} customers loaded so far"
