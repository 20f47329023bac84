import json

from bot.local_api.errors import ApiError, bad_request, forbidden, too_many_requests


def test_body_is_telegrams_error_envelope() -> None:
    assert bad_request("chat not found").body() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: chat not found",
    }
    assert forbidden("bot was blocked by the user").code == 403


def test_flood_control_carries_retry_after() -> None:
    body = too_many_requests(3).body()
    assert body["error_code"] == 429
    assert body["parameters"] == {"retry_after": 3}


def test_response_has_the_error_code_as_status() -> None:
    response = ApiError(409, "Conflict: x").response()
    assert response.status == 409
    assert response.text is not None
    assert json.loads(response.text)["description"] == "Conflict: x"
