"""The aiohttp server of the bot: the Telegram webhook and a health check."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

WEBHOOK_PATH = "/telegram/webhook"
HEALTH_PATH = "/healthz"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are small; anything much larger is not from Telegram.
MAX_BODY_BYTES = 1 << 20

log = logging.getLogger(__name__)

APPLICATION: web.AppKey[Application[Any, Any, Any, Any, Any, Any]] = web.AppKey("application")
SECRET: web.AppKey[str] = web.AppKey("secret")


def build_server(
    application: Application[Any, Any, Any, Any, Any, Any], secret: str
) -> web.Application:
    """The web application: updates are accepted only with Telegram's secret-token header.

    Args:
        application: The bot, already started, whose update queue receives the updates.
        secret: The secret token given to Telegram with ``setWebhook``.

    """
    server = web.Application(client_max_size=MAX_BODY_BYTES)
    server[APPLICATION] = application
    server[SECRET] = secret
    server.router.add_post(WEBHOOK_PATH, _receive_update)
    server.router.add_get(HEALTH_PATH, _health)
    return server


async def _receive_update(request: web.Request) -> web.Response:
    offered = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(offered.encode(), request.app[SECRET].encode()):
        log.warning("webhook call without the right secret token refused")
        return web.json_response({"ok": False, "description": "forbidden"}, status=403)
    try:
        payload = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.json_response({"ok": False, "description": "not JSON"}, status=400)
    application = request.app[APPLICATION]
    try:
        update = Update.de_json(payload, application.bot) if isinstance(payload, dict) else None
    except (TypeError, ValueError, KeyError):
        update = None
    if update is None:
        return web.json_response({"ok": False, "description": "not an update"}, status=400)
    await application.update_queue.put(update)
    return web.json_response({"ok": True})


async def _health(request: web.Request) -> web.Response:
    running = request.app[APPLICATION].running
    return web.json_response(
        {"status": "ok" if running else "stopped"}, status=200 if running else 503
    )
