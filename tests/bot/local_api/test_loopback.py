import pytest

from bot.local_api.loopback import is_loopback_host


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.1", "example.com", "localhost.evil", ""])
def test_other_hosts(host: str) -> None:
    assert not is_loopback_host(host)
