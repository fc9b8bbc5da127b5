"""`heritage user …` and the first administrator of `heritage demo`, through the real CLI on a real catalog."""
from __future__ import annotations

import json
import re

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from archive import accounts
from archive.cli import main
from archive.errors import BadCredentials
from tests.catalogs import command_env

PASSWORD = "correct horse battery"



@pytest.fixture
def heritage(data_dir):
    """The CLI in-process, with Argon2 at a test cost (set, like any setting, through HERITAGE_ variables)."""
    def run(*args: str, input: str | None = None):
        env = command_env(data_dir, HERITAGE_WORKERS="2", HERITAGE_PASSWORD_TIME_COST="1",
                          HERITAGE_PASSWORD_MEMORY_KIB="1024")
        return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], env=env, input=input,
                                  catch_exceptions=False)
    return run


def test_add_list_change_role_and_disable(heritage, archive):
    added = heritage("user", "add", "Lan", "--role", "editor", "--name", "Trần Thị Lan", "--password-stdin",
                     input=PASSWORD + "\n")
    assert added.exit_code == 0 and "added lan (editor)" in added.output
    assert accounts.authenticate(archive, "lan", PASSWORD, "127.0.0.1").display_name == "Trần Thị Lan"
    assert heritage("user", "add", "root", "--role", "admin", "--password-stdin", input=PASSWORD).exit_code == 0
    listing = heritage("user", "list").output.splitlines()
    assert [line.split()[:2] for line in listing] == [["lan", "editor"], ["root", "admin"]]
    assert "last sign-in 20" in listing[0] and "last sign-in never" in listing[1]
    assert heritage("user", "set-role", "LAN", "contributor").output.strip() == "LAN is now contributor"
    assert heritage("user", "disable", "lan").exit_code == 0
    assert "(disabled)" in heritage("user", "list").output.splitlines()[0]
    with pytest.raises(BadCredentials):
        accounts.authenticate(archive, "lan", PASSWORD, "127.0.0.1")
    assert heritage("user", "enable", "lan").output.strip() == "enabled lan"
    assert "(disabled)" not in heritage("user", "list").output
    assert accounts.authenticate(archive, "lan", PASSWORD, "127.0.0.1").role == "contributor"


def test_the_password_prompt_asks_twice(heritage, archive):
    mismatch = heritage("user", "add", "mai", "--role", "researcher", input="first password\nsecond password\n" * 3)
    assert mismatch.exit_code != 0 and "do not match" in mismatch.output
    result = heritage("user", "add", "mai", "--role", "researcher", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert accounts.authenticate(archive, "mai", PASSWORD, "127.0.0.1").role == "researcher"
    changed = heritage("user", "password", "mai", "--password-stdin", input="a whole new secret\n")
    assert changed.exit_code == 0
    assert accounts.authenticate(archive, "mai", "a whole new secret", "127.0.0.1").username == "mai"


def test_bad_input_is_named_and_exits_2(heritage):
    short = heritage("user", "add", "lan", "--role", "editor", "--password-stdin", input="short\n")
    assert short.exit_code == 2 and "password: must have at least 10 characters" in short.output
    role = heritage("user", "add", "lan", "--role", "janitor", "--password-stdin", input=PASSWORD)
    assert role.exit_code == 2 and "'janitor'" in role.output
    missing = heritage("user", "disable", "nobody")
    assert missing.exit_code == 2 and "no user 'nobody'" in missing.output
    heritage("user", "add", "root", "--role", "admin", "--password-stdin", input=PASSWORD)
    last = heritage("user", "set-role", "root", "editor")
    assert last.exit_code == 1 and "last active administrator" in last.output


def _tiny_samples(root):
    """A samples folder with nothing to ingest: enough for `heritage demo` to make its first administrator."""
    samples = root / "samples"
    (samples / "exhibits").mkdir(parents=True)
    (samples / "collections.json").write_text(json.dumps([]), "utf-8")
    (samples / "metadata.csv").write_text("file,title_vi,community\n", "utf-8")
    return samples


def test_demo_makes_a_first_administrator_once_and_says_how_to_sign_in(heritage, archive, tmp_path):
    samples = _tiny_samples(tmp_path)
    first = heritage("demo", "--samples", str(samples))
    assert first.exit_code == 0, first.output
    found = re.search(r"staff sign-in: (\S+) .*as 'admin' with password (\S+)", first.output)
    assert found and found.group(1).endswith("/vi/staff/login")
    assert accounts.authenticate(archive, "admin", found.group(2), "127.0.0.1").role == "admin"
    again = heritage("demo", "--samples", str(samples))
    assert again.exit_code == 0 and "password" not in again.output
    assert [u.username for u in accounts.list_users(archive)] == ["admin"]


def test_demo_says_how_to_get_in_when_the_name_admin_is_taken_by_someone_else(heritage, archive, tmp_path):
    assert heritage("user", "add", "admin", "--role", "editor", "--password-stdin", input=PASSWORD).exit_code == 0
    demo = heritage("demo", "--samples", str(_tiny_samples(tmp_path)))
    assert demo.exit_code == 0, demo.output
    assert "no active administrator; the account 'admin' exists (editor)" in demo.output
    assert "heritage user set-role admin admin" in demo.output and "password" not in demo.output
    assert [(u.username, u.role) for u in accounts.list_users(archive)] == [("admin", "editor")]
    assert heritage("user", "set-role", "admin", "admin").exit_code == 0  # not blocked by the missing administrator


def test_the_sample_archive_has_its_administrator(sample_archive):
    found = re.search(r"as 'admin' with password (\S+)", sample_archive.demo_output)
    assert found, sample_archive.demo_output
    admin = accounts.find_user(sample_archive, "admin")
    assert admin.role == "admin" and admin.active
    assert PasswordHasher().verify(admin.password_hash, found.group(1))  # read only: the shared archive stays as it is
