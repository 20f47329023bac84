"""Bot API errors, answered the way Telegram answers them."""

from __future__ import annotations

from aiohttp import web

from bot.local_api.objects import JsonDict


class ApiError(Exception):
    """A failed Bot API call: ``{"ok": false, ...}`` sent with ``code`` as the HTTP status.

    Args:
        code: The HTTP status and ``error_code`` (400, 401, 403, 404, 409, 429, ...).
        description: The human-readable ``description``, e.g. ``"Bad Request: chat not found"``.
        parameters: The optional ``ResponseParameters`` (``retry_after``, ``migrate_to_chat_id``).

    """

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JsonDict:
        """The JSON body Telegram sends for this error."""
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body

    def response(self) -> web.Response:
        """The HTTP response carrying this error."""
        return web.json_response(self.body(), status=self.code)


def bad_request(detail: str) -> ApiError:
    """A 400 error with Telegram's ``Bad Request:`` prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """A 403 error with Telegram's ``Forbidden:`` prefix."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """A 429 flood-control error asking the bot to wait ``retry_after`` seconds."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )
