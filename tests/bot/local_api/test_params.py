import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.local_api.errors import ApiError
from bot.local_api.params import Params, Upload


async def _echo(request: web.Request) -> web.Response:
    try:
        params = await Params.read(request)
    except ApiError as error:
        return error.response()
    uploads = {name: upload.content.decode() for name, upload in params.uploads.items()}
    return web.json_response({"values": params.values, "uploads": uploads})


@pytest.fixture
async def url() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/echo", _echo)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("/echo"))


async def _post(url: str, **kwargs: Any) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as response:
        result: dict[str, Any] = await response.json()
        return result


async def test_json_body_keeps_types(url: str) -> None:
    echoed = await _post(url, json={"chat_id": 5, "reply_markup": {"inline_keyboard": []}})
    assert echoed["values"] == {"chat_id": 5, "reply_markup": {"inline_keyboard": []}}


async def test_query_string_is_overridden_by_the_form(url: str) -> None:
    echoed = await _post(f"{url}?chat_id=1&text=a", data={"text": "你好"})
    assert echoed["values"] == {"chat_id": "1", "text": "你好"}


async def test_multipart_separates_uploads(url: str) -> None:
    form = aiohttp.FormData()
    form.add_field("chat_id", "5")
    form.add_field("photo", b"jpeg", filename="p.jpg", content_type="image/jpeg")
    echoed = await _post(url, data=form)
    assert echoed == {"values": {"chat_id": "5"}, "uploads": {"photo": "jpeg"}}


async def test_malformed_json_body_is_a_bad_request(url: str) -> None:
    headers = {"Content-Type": "application/json"}
    echoed = await _post(url, data=b"{nope", headers=headers)
    assert echoed["error_code"] == 400


def test_form_strings_convert_like_json_values() -> None:
    params = Params(
        {
            "chat_id": "-100",
            "flag": "true",
            "off": "false",
            "timeout": "1.5",
            "reply_markup": json.dumps({"keyboard": [["好"]]}),
        }
    )
    assert params.require_int("chat_id") == -100
    assert params.get_bool("flag") and not params.get_bool("off") and not params.get_bool("none")
    assert params.get_float("timeout", 0) == 1.5
    assert params.get_json("reply_markup") == {"keyboard": [["好"]]}
    assert params.get_str("chat_id") == "-100"
    assert params.get_int("absent") is None


def test_json_values_convert_too() -> None:
    params = Params({"chat_id": 5, "flag": True, "markup": {"a": 1}})
    assert params.require_int("chat_id") == 5
    assert params.get_bool("flag")
    assert params.get_json("markup") == {"a": 1}
    assert params.get_str("markup") == '{"a": 1}'


@pytest.mark.parametrize(
    ("values", "read", "complaint"),
    [
        ({}, lambda p: p.require_int("chat_id"), "chat_id is empty"),
        ({"chat_id": "x"}, lambda p: p.require_int("chat_id"), "chat_id must be an integer"),
        ({"chat_id": True}, lambda p: p.require_int("chat_id"), "must be an integer"),
        ({"text": ""}, lambda p: p.require_str("text", "message text is empty"), "text is empty"),
        ({"flag": "maybe"}, lambda p: p.get_bool("flag"), "must be a boolean"),
        ({"m": "{"}, lambda p: p.get_json("m"), "can't parse m JSON object"),
        ({"t": "soon"}, lambda p: p.get_float("t", 0), "must be a number"),
    ],
)
def test_malformed_parameters_are_bad_requests(values: Any, read: Any, complaint: str) -> None:
    with pytest.raises(ApiError, match=complaint) as raised:
        read(Params(values))
    assert raised.value.code == 400


def test_recorded_parameters_describe_uploads() -> None:
    params = Params({"chat_id": "1"}, {"photo": Upload("p.jpg", "image/jpeg", b"1234")})
    assert params.has("photo") and params.has("chat_id") and not params.has("caption")
    assert params.recorded() == {"chat_id": "1", "photo": "<upload p.jpg: 4 bytes>"}
