"""The access token's endpoint: what the token may do, asked once and recorded in ``access``."""

from __future__ import annotations

import logging

from app.square.access import TokenStatus
from app.square.core import ServiceCore
from app.square.errors import SquareError
from app.square.wire import parse

__all__ = ["TokenEndpoints"]

log = logging.getLogger(__name__)


class TokenEndpoints(ServiceCore):
    """RetrieveTokenStatus, and the connect-time check built on it."""

    async def retrieve_token_status(self) -> TokenStatus:
        """RetrieveTokenStatus: the token's scopes, merchant and expiry (a read)."""
        reply = await self._call("RetrieveTokenStatus", "POST", "/oauth2/token/status")
        return parse(TokenStatus, reply.data)

    async def check_token(self) -> TokenStatus | None:
        """Ask Square once what the token may do and record it in ``access``. ``None``
        when the question could not be answered (an older server, the network): the
        token's verdict stays unknown and a refused write will settle it."""
        try:
            status = await self.retrieve_token_status()
        except SquareError as err:
            log.info("RetrieveTokenStatus failed (%r): write access stays unknown", err)
            return None
        self.access.learn_token_scopes(status.scopes)
        self.token_status = status
        return status
