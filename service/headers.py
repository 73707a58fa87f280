"""Headers every response carries, and redirects that stay on this site whatever ``Host`` a client sends.

A pure ASGI middleware, so streamed downloads pass through unbuffered:

- ``X-Content-Type-Options: nosniff`` on every response: a browser never runs an upload, a download or an
  error body as another type than the one sent.
- ``Cache-Control: no-store`` unless a response sets its own (the admin stylesheet does): API answers
  and downloads (terms of reference, CSV exports, subject access) hold personal data, which must not stay
  in a browser's or a proxy's cache.
- ``Location`` is always relative. Starlette's trailing-slash redirect builds an absolute URL from the
  ``Host`` header, which the client chooses; this service never redirects to another site, so any
  absolute or scheme-relative target is cut to its path, query and fragment.
"""

from urllib.parse import urlsplit, urlunsplit

from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from service.middleware import HttpMiddleware


def on_this_site(location: str) -> str:
    """``location`` as a path on this site: absolute and ``//host`` targets lose their scheme and host."""
    parts = urlsplit(location)
    if not (parts.scheme or parts.netloc or location.startswith(("//", "/\\", "\\"))):
        return location
    # Browsers read a leading "//" or "/\" as another host: keep exactly one slash.
    path = "/" + parts.path.lstrip("/\\")
    return urlunsplit(("", "", path, parts.query, parts.fragment))


class SecurityHeaders(HttpMiddleware):
    """Adds the headers above to every HTTP response of the app it wraps."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Cache-Control", "no-store")
                if "location" in headers:
                    headers["Location"] = on_this_site(headers["location"])
            await send(message)

        await self.app(scope, receive, send_with_headers)
