"""The shape of this service's pure ASGI middleware: each acts on HTTP requests only.

Pure ASGI rather than Starlette's ``BaseHTTPMiddleware``, so streamed downloads pass through unbuffered;
lifespan (and any other) events go straight to the wrapped app.
"""

from abc import ABC, abstractmethod

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware(ABC):
    """Wraps ``app``; ``http`` handles each HTTP request, everything else passes through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    @abstractmethod
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one HTTP request, calling ``self.app`` on the way."""
