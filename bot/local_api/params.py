"""The parameters of a Bot API call, read alike from a query string, JSON or a form body."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.local_api.errors import bad_request
from bot.local_api.objects import JsonDict

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


@dataclass(frozen=True)
class Upload:
    """A file uploaded with the call (a multipart part with a file name)."""

    filename: str | None
    content_type: str | None
    content: bytes


class Params:
    """The parameters of one call.

    Telegram accepts each parameter as JSON or as a string; form bodies, which
    python-telegram-bot sends, carry numbers, booleans and objects JSON-encoded in strings.
    The accessors convert either way and answer malformed input with a 400 error.
    """

    def __init__(self, values: JsonDict, uploads: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    @classmethod
    async def read(cls, request: web.Request) -> Params:
        """The parameters of ``request``: its query string, overridden by its body.

        Raises:
            ApiError: 400 if a JSON body cannot be parsed or is not an object.

        """
        values: JsonDict = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as error:
                raise bad_request("can't parse JSON body") from error
            if not isinstance(body, dict):
                raise bad_request("the JSON body must be an object")
            values.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    uploads[name] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    values[name] = value
        return cls(values, uploads)

    def recorded(self) -> JsonDict:
        """The parameters as recorded: uploads are named by their size rather than copied."""
        uploads = {
            name: f"<upload {upload.filename or name}: {len(upload.content)} bytes>"
            for name, upload in self.uploads.items()
        }
        return {**self.values, **uploads}

    def has(self, name: str) -> bool:
        """Whether ``name`` was given (as a value or an upload)."""
        return self.values.get(name) is not None or name in self.uploads

    def get_str(self, name: str) -> str | None:
        """A string parameter."""
        value = self.values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def require_str(self, name: str, empty: str | None = None) -> str:
        """A string parameter that must be given and not empty.

        Args:
            name: The parameter.
            empty: Telegram's complaint when it is missing; ``<name> is empty`` by default.

        """
        value = self.get_str(name)
        if not value:
            raise bad_request(empty or f"{name} is empty")
        return value

    def get_int(self, name: str) -> int | None:
        """An integer parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"{name} must be an integer")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"{name} must be an integer") from None

    def require_int(self, name: str) -> int:
        """An integer parameter that must be given."""
        value = self.get_int(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def get_float(self, name: str, default: float) -> float:
        """A number parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"{name} must be a number") from None

    def get_bool(self, name: str) -> bool:
        """A boolean parameter; absent means false."""
        value = self.values.get(name)
        if value is None or isinstance(value, bool):
            return bool(value)
        text = str(value).lower()
        if text not in _TRUE | _FALSE:
            raise bad_request(f"{name} must be a boolean")
        return text in _TRUE

    def get_json(self, name: str) -> Any:
        """A parameter that is a JSON object or array, given as such or encoded in a string."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
