"""The aiohttp server of the bot: the Telegram webhook, a health check and the staff console."""

from __future__ import annotations

import hmac
import json
import logging
import os

from aiohttp import web
from telegram import Update

from bot.console import build_console
from bot.pipeline import Lead, Pipeline
from bot.settings import CONSOLE_PATH
from handlers.notify import Notifier
from handlers.services import Services
from intake import Outcome
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
) -> web.Application:
    """The web application: health check, staff console and, with a secret, the webhook.

    Args:
        pipeline: The bot: the webhook stores updates in its inbox, the console queues its
            messages in its outbox and fetches files through it.
        services: What the console works with.
        console_url: The console's public address.
        webhook_secret: The secret token given to Telegram with ``setWebhook``; without one
            there is no webhook route (polling mode).

    """
    server = web.Application(client_max_size=MAX_BODY_BYTES)
    server[PIPELINE] = pipeline
    if webhook_secret is not None:
        server[SECRET] = webhook_secret
        server.router.add_post(WEBHOOK_PATH, _receive_update)
    server.router.add_get(HEALTH_PATH, _health)
    server.router.add_get(CONSOLE_PATH, _to_console)
    server.add_subapp(CONSOLE_PATH, _console(pipeline, services, console_url))
    return server


def _console(pipeline: Pipeline, services: Services, console_url: str) -> web.Application:
    notifier = Notifier(services)

    async def notify(outcome: Outcome) -> None:
        await notifier.publish(pipeline.sender, outcome)

    async def fetch_file(file_id: str) -> bytes:
        file = await pipeline.direct_bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    # Sessions live in the database, so a new key at each start only ends half-filled forms.
    return build_console(
        services,
        notify=notify,
        fetch_file=fetch_file,
        secret_key=os.urandom(32),
        base_url=console_url,
    )


async def _to_console(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(CONSOLE_PATH + "/")


async def _receive_update(request: web.Request) -> web.Response:
    offered = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(offered.encode(), request.app[SECRET].encode()):
        log.warning("webhook call without the right secret token refused")
        return web.json_response({"ok": False, "description": "forbidden"}, status=403)
    try:
        payload = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.json_response({"ok": False, "description": "not JSON"}, status=400)
    pipeline = request.app[PIPELINE]
    try:
        update = Update.de_json(payload, pipeline.direct_bot) if isinstance(payload, dict) else None
    except (TypeError, ValueError, KeyError):
        update = None
    if update is None or not isinstance(update.update_id, int):
        return web.json_response({"ok": False, "description": "not an update"}, status=400)
    try:
        await pipeline.receive([Received(update.update_id, payload)])
    except STORAGE_ERRORS as error:
        # Not stored, so not acknowledged: Telegram sends it again.
        log.warning("update %s not stored (%s)", update.update_id, type(error).__name__)
        return web.json_response({"ok": False, "description": "try again"}, status=503)
    return web.json_response({"ok": True})


async def _health(request: web.Request) -> web.Response:
    pipeline = request.app[PIPELINE]
    running = pipeline.running
    standing_by = pipeline.lead is Lead.STANDBY
    status = 200 if running or standing_by else 503
    state = "ok" if running else "standby" if standing_by else "stopped"
    body = {"status": state, **leadership_health(pipeline)}
    return web.json_response(body, status=status)


def leadership_health(pipeline: Pipeline) -> dict[str, str]:
    """The health check's word on leadership.

    ``leader``; ``standby`` (healthy: another process leads the database, this one takes over
    if it stops); or ``starting``.
    """
    return {"lead": pipeline.lead.value}
