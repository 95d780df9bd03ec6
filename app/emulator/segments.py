"""The Customer Segments resource: list and retrieve (segments are read-only in Square's API).

The demo's segments and their members are made by `seed.py`; SearchCustomers filters on
them (`search_query.py`).
"""

from __future__ import annotations

from .core import Emulator
from .cursors import offset_page
from .errors import not_found
from .routing import Call, Result, Routes

routes = Routes()


@routes.operation("ListCustomerSegments", "GET", "/v2/customers/segments", "CUSTOMERS_READ")
def list_segments(emu: Emulator, call: Call) -> Result:
    return offset_page(call, "ListCustomerSegments", "segments", emu.store.list_segments())


@routes.operation(
    "RetrieveCustomerSegment", "GET", "/v2/customers/segments/{segment_id}", "CUSTOMERS_READ"
)
def retrieve_segment(emu: Emulator, call: Call) -> Result:
    segment_id = call.params["segment_id"]
    segment = emu.store.get_segment(segment_id)
    if segment is None:
        raise not_found(f"Customer segment with ID `{segment_id}` not found.", "segment_id")
    return 200, {"segment": segment}
