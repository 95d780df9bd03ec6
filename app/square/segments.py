"""The customer segments endpoints: list and retrieve (Square defines segments; read only)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable

from app.square.core import ServiceCore
from app.square.models import CustomerSegment, CustomerSegmentPage
from app.square.wire import parse, query_params, seg

__all__ = ["SegmentEndpoints"]


class SegmentEndpoints(ServiceCore):
    """ListCustomerSegments, RetrieveCustomerSegment."""

    async def list_customer_segments(
        self, *, cursor: str | None = None, limit: int | None = None
    ) -> CustomerSegmentPage:
        """ListCustomerSegments: one page (``limit`` 1–50)."""
        params = query_params(cursor=cursor, limit=limit)
        reply = await self._call(
            "ListCustomerSegments", "GET", "/v2/customers/segments", params=params
        )
        return parse(CustomerSegmentPage, reply.data)

    async def iter_customer_segments(
        self, *, limit: int | None = None
    ) -> AsyncIterator[CustomerSegment]:
        """Every customer segment, page by page."""

        def fetch(cursor: str | None) -> Awaitable[CustomerSegmentPage]:
            return self.list_customer_segments(cursor=cursor, limit=limit)

        async for page in self._follow(fetch):
            for segment in page.segments:
                yield segment

    async def retrieve_customer_segment(self, segment_id: str) -> CustomerSegment:
        reply = await self._call(
            "RetrieveCustomerSegment", "GET", f"/v2/customers/segments/{seg(segment_id)}"
        )
        return parse(CustomerSegment, reply.data.get("segment"))
