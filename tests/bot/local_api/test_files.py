import pytest
from telegram import Document, File, PhotoSize, Sticker, Voice

from bot.local_api.files import FileStore


def test_files_get_ids_and_paths() -> None:
    store = FileStore()
    photo = store.add("photo", b"jpeg")
    document = store.add("document", b"%PDF", file_name="合同.pdf")
    assert photo.file_id != document.file_id
    assert photo.file_path.startswith("photos/") and photo.file_path.endswith(".jpg")
    assert document.file_path.endswith(".pdf")
    assert document.mime_type == "application/pdf"
    assert store.get(photo.file_id) is photo
    assert store.at_path(document.file_path) is document
    assert store.get("nope") is None


def test_chosen_file_ids_are_kept_and_unique() -> None:
    store = FileStore()
    assert store.add("voice", b"ogg", file_id="voice-1").file_id == "voice-1"
    with pytest.raises(ValueError, match="taken"):
        store.add("voice", b"ogg", file_id="voice-1")


def test_media_objects_parse_in_ptb() -> None:
    store = FileStore()
    [size] = store.add("photo", b"jpeg").media()["photo"]
    assert PhotoSize.de_json(size, None).file_size == 4
    voice = store.add("voice", b"ogg").media(duration=7)["voice"]
    assert voice["duration"] == 7
    assert Voice.de_json(voice, None).mime_type == "audio/ogg"
    document = store.add("document", b"x", file_name="a.txt").media()["document"]
    assert Document.de_json(document, None).file_name == "a.txt"
    sticker = store.add("sticker", b"webp").media(emoji="👍")["sticker"]
    assert Sticker.de_json(sticker, None).emoji == "👍"
    stored = store.add("document", b"abc")
    assert File.de_json(stored.file_object(), None).file_path == stored.file_path
