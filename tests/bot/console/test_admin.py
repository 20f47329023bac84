"""Admins set and remove staff passwords; nobody else may."""

from __future__ import annotations

import pytest

from bot.console.store import ConsoleStore, hash_password, verify_password
from tests.bot.console.conftest import Console, errors_of


def form(person: int, **changes: str) -> dict[str, str]:
    values = {
        "op": "set",
        "user": str(person),
        "login": "grid.one",
        "password": "a long enough secret",
        "repeat": "a long enough secret",
    }
    return values | changes


@pytest.mark.parametrize("role", ["officer", "grid", "police"])
async def test_only_admins_manage_passwords(console: Console, role: str) -> None:
    await console.login(getattr(console.people, role))

    status, html = await console.get("/admin/passwords")
    assert status == 403
    assert "不能打开这个页面" in errors_of(html)
    status, _ = await console.post("/admin/passwords", form(console.people.grid))
    assert status == 403
    assert await ConsoleStore(console.intake.engine).password_logins() == {}


async def test_an_admin_sets_and_removes_a_password(console: Console) -> None:
    await console.login(console.people.admin)
    store = ConsoleStore(console.intake.engine)

    status, html = await console.post("/admin/passwords", form(console.people.grid))
    assert status == 200
    assert "已为 网格员甲 设置密码登录（登录名 grid.one）" in html
    assert await store.check_password("grid.one", "a long enough secret") == console.people.grid
    assert await store.check_password("grid.one", "wrong") is None

    status, html = await console.post(
        "/admin/passwords", {"op": "remove", "user": str(console.people.grid)}
    )
    assert "已取消 网格员甲 的密码登录" in html
    assert await store.check_password("grid.one", "a long enough secret") is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "short", "repeat": "short"}, "密码至少 10 个字符"),
        ({"repeat": "something else"}, "两次输入的密码不一样"),
        ({"login": "<b>x</b>"}, "登录名只能用"),
        ({"user": "villager"}, "只能给工作人员设置密码登录"),
        ({"user": ""}, "请选择工作人员"),
        ({"user": "424242"}, "没有找到编号为 424242 的用户"),
        ({"op": "drop"}, "「操作」的选择无效"),
    ],
)
async def test_bad_password_forms_are_clear_messages(
    console: Console, changes: dict[str, str], message: str
) -> None:
    await console.login(console.people.admin)
    if changes.get("user") == "villager":
        changes = changes | {"user": str(console.people.villager)}

    status, html = await console.post("/admin/passwords", form(console.people.grid, **changes))

    assert status == 400
    assert message in errors_of(html)
    assert await ConsoleStore(console.intake.engine).password_logins() == {}


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("1234567890", "密码不能是连续或重复的字符"),
        ("password123", "这个密码太常见"),
        ("Qwerty2026!", "这个密码太常见"),
        ("grid.one-2026", "密码不能包含登录名"),
    ],
)
async def test_password_policy_refuses_guessable_passwords_with_a_clear_message(
    console: Console, password: str, message: str
) -> None:
    await console.login(console.people.admin)

    status, html = await console.post(
        "/admin/passwords", form(console.people.grid, password=password, repeat=password)
    )

    assert status == 400
    assert message in errors_of(html)
    assert await ConsoleStore(console.intake.engine).password_logins() == {}


async def test_a_login_name_belongs_to_one_person(console: Console) -> None:
    await console.login(console.people.admin)
    assert (await console.post("/admin/passwords", form(console.people.grid)))[0] == 200

    status, html = await console.post("/admin/passwords", form(console.people.officer))

    assert status == 409
    assert "登录名「grid.one」已经有人用了" in errors_of(html)


def test_passwords_are_stored_as_salted_scrypt_hashes() -> None:
    first, second = hash_password("secret one!"), hash_password("secret one!")
    assert first != second
    assert first.startswith("scrypt$16384$8$1$")
    assert "secret" not in first
    assert verify_password("secret one!", first)
    assert not verify_password("secret one?", first)
    assert not verify_password("secret one!", "md5$abc")
    assert not verify_password("secret one!", "garbage")
