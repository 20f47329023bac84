import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.service import Faq

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The project's shared material; tests that need it skip, visibly, where it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared material not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session", autouse=True)
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One understanding model for the whole run, cached where every bot the tests start looks.

    Bots run in child processes would each train their own otherwise (seconds each).
    """
    folder = tmp_path_factory.mktemp("models")
    Faq.load(cache_dir=folder)
    previous = os.environ.get("MINGBAI_MODEL_DIR")
    os.environ["MINGBAI_MODEL_DIR"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["MINGBAI_MODEL_DIR"]
    else:
        os.environ["MINGBAI_MODEL_DIR"] = previous
