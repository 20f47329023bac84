from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from intake import current_revision, head_revision, upgrade
from intake.migrate import MIGRATIONS_DIR, alembic_config
from intake.models import Base

TABLES = {
    "alembic_version",
    "role_changes",
    "ticket_co_units",
    "ticket_events",
    "ticket_sequences",
    "tickets",
    "users",
    "bot_state",
    "question_log",
    "faq_ratings",
    "console_login_tokens",
    "console_sessions",
    "console_passwords",
    "bans",
    "ban_events",
    "held_updates",
    "inbox_updates",
    "outbox_messages",
    "liaison_applications",
    "ticket_messages",
    "ticket_cards",
    "private_chats",
    "dead_letters",
    "broadcasts",
    "subscriptions",
    "subscription_topics",
    "web_visitors",
    "web_posts",
    "web_messages",
    "web_events",
    "web_files",
}


async def test_upgrade_builds_the_schema_and_is_idempotent(empty_engine: AsyncEngine) -> None:
    assert await current_revision(empty_engine) is None

    await upgrade(empty_engine)
    await upgrade(empty_engine)

    assert await current_revision(empty_engine) == head_revision() == "0015"
    async with empty_engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert tables == TABLES


async def test_the_migrations_match_the_models(engine: AsyncEngine) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_downgrade_removes_everything_and_upgrade_restores_it(
    empty_engine: AsyncEngine,
) -> None:
    await upgrade(empty_engine)

    async with empty_engine.begin() as connection:
        await connection.run_sync(lambda c: command.downgrade(alembic_config(c), "base"))
    async with empty_engine.connect() as connection:
        left = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    await upgrade(empty_engine)

    assert left == {"alembic_version"}
    assert await current_revision(empty_engine) == head_revision()


def test_the_migrations_ship_inside_the_package() -> None:
    assert MIGRATIONS_DIR.parent.name == "intake"
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("*.py")) == [
        "0001_intake_schema.py",
        "0002_bot_state.py",
        "0003_console_and_question_log.py",
        "0004_bans_and_held_updates.py",
        "0005_inbox_and_outbox.py",
        "0006_report_history_index.py",
        "0008_ticket_threads.py",
        "0009_ticket_cards_and_private_chats.py",
        "0010_offline_intake_and_liaisons.py",
        "0011_dead_letters_and_bot_scoped_inbox.py",
        "0013_question_text_retention.py",
        "0014_pufa_broadcasts.py",
        "0015_web_chat.py",
    ]
