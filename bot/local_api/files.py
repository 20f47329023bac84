"""The files the server holds: their ids, paths under the file URL, and their media objects."""

from __future__ import annotations

import itertools
import mimetypes
from dataclasses import dataclass
from typing import Literal

from bot.local_api.objects import JsonDict

MediaKind = Literal["photo", "document", "voice", "sticker"]

_FOLDERS: dict[MediaKind, tuple[str, str]] = {
    "photo": ("photos", ".jpg"),
    "document": ("documents", ""),
    "voice": ("voice", ".oga"),
    "sticker": ("stickers", ".webp"),
}
_DEFAULT_MIME_TYPES: dict[MediaKind, str] = {
    "photo": "image/jpeg",
    "document": "application/octet-stream",
    "voice": "audio/ogg",
    "sticker": "image/webp",
}


@dataclass(frozen=True)
class StoredFile:
    """One file: what ``getFile`` describes and the file URL serves."""

    file_id: str
    file_unique_id: str
    kind: MediaKind
    content: bytes
    file_path: str
    file_name: str | None
    mime_type: str

    def media(self, *, duration: int = 1, emoji: str | None = None) -> JsonDict:
        """The message field carrying this file: ``{"photo": [...]}``, ``{"voice": {...}}``, ...

        Args:
            duration: The length of a voice message, in seconds.
            emoji: The emoji a sticker stands for.

        """
        base: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if self.kind == "photo":
            return {"photo": [{**base, "width": 1280, "height": 960}]}
        if self.kind == "voice":
            return {"voice": {**base, "duration": duration, "mime_type": self.mime_type}}
        if self.kind == "sticker":
            sticker = {**base, "type": "regular", "width": 512, "height": 512}
            sticker.update(is_animated=False, is_video=False)
            return {"sticker": sticker | ({"emoji": emoji} if emoji else {})}
        document = {**base, "mime_type": self.mime_type}
        return {"document": document | ({"file_name": self.file_name} if self.file_name else {})}

    def file_object(self) -> JsonDict:
        """The ``File`` object ``getFile`` returns (its path relative to the file URL)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


class FileStore:
    """Every file sent by the bot or by a user, by ``file_id`` and by path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._numbers = itertools.count(1)

    def add(
        self,
        kind: MediaKind,
        content: bytes,
        *,
        file_id: str | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Store ``content`` and give it a file id (``file_id`` when the caller chose one).

        Raises:
            ValueError: If ``file_id`` is already taken.

        """
        number = next(self._numbers)
        file_id = file_id or f"local-{kind}-{number}"
        if file_id in self._by_id:
            raise ValueError(f"file_id {file_id!r} is already taken")
        folder, extension = _FOLDERS[kind]
        guessed = mimetypes.guess_type(file_name)[0] if file_name else None
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"unique-{number}",
            kind=kind,
            content=content,
            file_path=f"{folder}/file_{number}{extension or _extension(file_name)}",
            file_name=file_name,
            mime_type=mime_type or guessed or _DEFAULT_MIME_TYPES[kind],
        )
        self._by_id[file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The file with ``file_id``, if there is one."""
        return self._by_id.get(file_id)

    def at_path(self, file_path: str) -> StoredFile | None:
        """The file served at ``file_path``, if there is one."""
        return self._by_path.get(file_path)


def _extension(file_name: str | None) -> str:
    if not file_name or "." not in file_name:
        return ""
    return "." + file_name.rsplit(".", 1)[1]
