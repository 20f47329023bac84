"""The aiohttp server of the bot: the webhook, a health check, the console and the chat page.

The webhook acknowledges what it stored: an update in the inbox, and anything that is not a
valid update (not JSON, nested too deep, ids that are not integers in range) as a dead letter,
so that Telegram never resends it and nothing is lost. It answers 503 only when the database
could not store it.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from typing import Any

from aiohttp import web
from aiohttp_remotes import XForwardedStrict
from yarl import URL

from bot.console import build_console
from bot.pipeline import Lead, Pipeline
from bot.services import publisher
from bot.settings import CONSOLE_PATH
from bot.update_check import NotAnUpdate, read_update
from bot.web_chat.app import CHAT_PATH, build_web_chat
from handlers.services import Services
from intake.database import STORAGE_ERRORS
from intake.inbox import Received

WEBHOOK_PATH = "/telegram/webhook"
HEALTH_PATH = "/healthz"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are small; anything much larger is not from Telegram.
MAX_BODY_BYTES = 1 << 20

log = logging.getLogger(__name__)

PIPELINE: web.AppKey[Pipeline] = web.AppKey("pipeline")
SECRET: web.AppKey[str] = web.AppKey("secret")


def build_server(
    pipeline: Pipeline,
    services: Services,
    *,
    console_url: str,
    webhook_secret: str | None = None,
    public_url: str | None = None,
    trusted_proxy: str | None = None,
) -> web.Application:
    """The web application: health check, staff console and, with a secret, the webhook.

    Args:
        pipeline: The bot: the webhook stores updates in its inbox, the console queues its
            messages in its outbox and fetches files through it.
        services: What the console works with.
        console_url: The console's public address.
        webhook_secret: The secret token given to Telegram with ``setWebhook``; without one
            there is no webhook route (polling mode).
        public_url: Where villagers reach the server, for the console's QR codes.
        trusted_proxy: The address (or network) of the HTTPS reverse proxy in front: every
            request but the health check must come through it, and the client's address and
            scheme are read from its ``X-Forwarded-For`` and ``X-Forwarded-Proto``.

    """
    middlewares = []
    if trusted_proxy is not None:
        forwarded = XForwardedStrict([[trusted_proxy]], white_paths=[HEALTH_PATH])
        middlewares.append(forwarded.middleware)
    server = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=middlewares)
    server[PIPELINE] = pipeline
    if webhook_secret is not None:
        server[SECRET] = webhook_secret
        server.router.add_post(WEBHOOK_PATH, _receive_update)
    server.router.add_get(HEALTH_PATH, _health)
    server.router.add_get(CONSOLE_PATH, _to_console)
    server.add_subapp(CONSOLE_PATH, _console(pipeline, services, console_url, public_url))
    server.router.add_get(CHAT_PATH, _to_chat)
    server.add_subapp(CHAT_PATH, build_web_chat(pipeline, services.intake_config))
    return server


def _console(
    pipeline: Pipeline, services: Services, console_url: str, public_url: str | None
) -> web.Application:
    # Sessions live in the database, so a new key at each start only ends half-filled forms.
    return build_console(
        services,
        notify=publisher(services, pipeline.sender),
        fetch_file=pipeline.fetch_file,
        secret_key=os.urandom(32),
        base_url=console_url,
        public_url=public_url,
    )


async def _to_console(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(CONSOLE_PATH + "/")


async def _to_chat(request: web.Request) -> web.StreamResponse:
    # The QR codes' ?v= goes along.
    raise web.HTTPFound(URL(CHAT_PATH + "/").with_query(request.query))


async def _receive_update(request: web.Request) -> web.Response:
    offered = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(offered.encode(), request.app[SECRET].encode()):
        log.warning("webhook call without the right secret token refused")
        return web.json_response({"ok": False, "description": "forbidden"}, status=403)
    body = await request.read()
    pipeline = request.app[PIPELINE]
    try:
        payload = _decoded(body)
        update = read_update(payload, None)
    except NotAnUpdate as refused:
        try:
            await pipeline.reject(body.decode("utf-8", errors="replace"), str(refused))
        except STORAGE_ERRORS as error:
            return _not_stored(error)
        return web.json_response({"ok": True, "description": "not a valid update, set aside"})
    try:
        await pipeline.receive([Received(update.update_id, payload)])
    except STORAGE_ERRORS as error:
        return _not_stored(error)
    return web.json_response({"ok": True})


def _decoded(body: bytes) -> Any:
    """The JSON a body holds.

    Raises:
        NotAnUpdate: It is not JSON, or too deeply nested to read.

    """
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise NotAnUpdate(f"not JSON: {type(error).__name__}") from None


def _not_stored(error: BaseException) -> web.Response:
    # Not stored, so not acknowledged: Telegram sends it again.
    log.warning("webhook call not stored (%s)", type(error).__name__)
    return web.json_response({"ok": False, "description": "try again"}, status=503)


async def _health(request: web.Request) -> web.Response:
    try:
        health = await request.app[PIPELINE].health()
    except STORAGE_ERRORS as error:
        return web.json_response(
            {"status": "database unavailable", "last_error": type(error).__name__}, status=503
        )
    standing_by = health.lead is Lead.STANDBY
    return web.json_response(
        {
            "status": "standby" if standing_by else "ok" if health.healthy else "stopped",
            "lead": health.lead.value,
            "processing": health.processing,
            "relaying": health.relaying,
            "lag_seconds": round(health.lag_seconds, 3),
            "relay_backlog": health.relay_backlog,
            "dead_letters": health.dead_letters,
            "last_error": health.last_error,
        },
        status=200 if health.healthy else 503,
    )
