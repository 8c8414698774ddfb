"""Challenge, login, logout and session lifetimes, driven over real HTTP."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import ACCESS_KEY, FakeClock
from tests.sandbox.wsclient import Plain, error


@pytest.fixture
def ws(sandbox) -> Plain:
    return Plain(sandbox.url)


def test_challenge_has_token_and_five_minute_expiry(ws: Plain) -> None:
    result = ws.ok(ws.get("getchallenge", username="admin"))
    assert len(result["token"]) == 13
    assert result["expireTime"] - result["serverTime"] == 300
    assert isinstance(result["serverTime"], int)


def test_challenge_for_unknown_user_is_access_denied(ws: Plain) -> None:
    assert error(ws.get("getchallenge", username="nobody")) == (
        "ACCESS_DENIED", "username does not exists")


def test_login_answers_vtiger_keys_and_user_fields(ws: Plain) -> None:
    result = ws.login("admin", ACCESS_KEY)
    assert result["userId"] == "19x1"
    assert result["vtigerVersion"] and result["version"] == "0.22"
    assert result["username"] == "admin"


def test_vendor_doc_flavour_answers_session_id_and_kafinea_version(make_sandbox) -> None:
    ws = Plain(make_sandbox(flavour="vendor-doc").url)
    result = ws.login("admin", ACCESS_KEY)
    assert "sessionId" in result and "kafineaVersion" in result
    assert "sessionName" not in result


def test_wrong_key_is_invalid_user_credentials(ws: Plain) -> None:
    ws.get("getchallenge", username="admin")
    assert error(ws.post("login", username="admin", accessKey="0" * 32))[0] == (
        "INVALID_USER_CREDENTIALS")


def test_login_without_challenge_or_unknown_user_is_invalid_auth_token(ws: Plain) -> None:
    assert error(ws.post("login", username="admin", accessKey="0" * 32))[0] == (
        "INVALID_AUTH_TOKEN")
    assert error(ws.post("login", username="ghost", accessKey="0" * 32))[0] == (
        "INVALID_AUTH_TOKEN")


def test_new_challenge_spoils_the_previous_token(ws: Plain) -> None:
    first = ws.ok(ws.get("getchallenge", username="admin"))["token"]
    ws.get("getchallenge", username="admin")
    digest = hashlib.md5((first + ACCESS_KEY).encode()).hexdigest()
    assert error(ws.post("login", username="admin", accessKey=digest))[0] == (
        "INVALID_USER_CREDENTIALS")


def test_calls_without_session_need_authentication(ws: Plain) -> None:
    assert error(ws.get("listtypes")) == ("AUTHENTICATION_REQUIRED", "Authencation required")


def test_garbage_session_is_invalid_sessionid(ws: Plain) -> None:
    assert error(ws.get("listtypes", sessionName="deadbeef"))[0] == "INVALID_SESSIONID"


def test_logout_ends_only_that_session(sandbox) -> None:
    one, two = Plain(sandbox.url), Plain(sandbox.url)
    one.login("admin", ACCESS_KEY)
    two.login("admin", ACCESS_KEY)
    assert one.ok(one.post("logout")) == {"message": "successfull"}
    assert error(one.get("listtypes"))[0] == "INVALID_SESSIONID"
    assert error(one.post("logout"))[0] == "INVALID_SESSIONID"
    assert two.ok(two.get("listtypes"))


def test_extendsession_is_refused_to_desktop_clients(ws: Plain) -> None:
    ws.login("admin", ACCESS_KEY)
    assert error(ws.post("extendsession")) == ("AUTHENTICATION_FAILURE", "Authencation Failed")


def test_idle_session_is_left_idle(make_sandbox) -> None:
    clock = FakeClock()
    ws = Plain(make_sandbox(clock=clock).url)
    ws.login("admin", ACCESS_KEY)
    clock.advance(1799)
    assert ws.get("listtypes")["success"] is True  # and this use resets the idle time
    clock.advance(1801)
    assert error(ws.get("listtypes")) == (
        "SESSION_LEFT_IDLE", "Session has been invalidated to due lack activity")


def test_old_session_is_expired_even_when_busy(make_sandbox) -> None:
    clock = FakeClock()
    ws = Plain(make_sandbox(clock=clock, session_life=3600).url)
    ws.login("admin", ACCESS_KEY)
    for _ in range(2):  # used within every idle period, up to its life span
        clock.advance(1700)
        assert ws.get("listtypes")["success"] is True
    clock.advance(1700)
    assert error(ws.get("listtypes")) == (
        "SESSION_EXPIRED", "Session has life span over please login again")


def test_a_bad_session_fails_every_operation_even_before_login(ws: Plain) -> None:
    assert error(ws.get("getchallenge", username="admin", sessionName="deadbeef"))[0] == (
        "INVALID_SESSIONID")


def test_data_and_user_survive_a_restart(make_sandbox, tmp_path) -> None:
    first = make_sandbox(demo_data=True, data_dir=tmp_path / "keep")
    ws = Plain(first.url)
    ws.login("admin", ACCESS_KEY)
    count = ws.ok(ws.query("SELECT count(*) FROM Documents;"))
    first.stop()
    again = Plain(make_sandbox(data_dir=tmp_path / "keep").url)
    again.login("admin", ACCESS_KEY)
    assert again.ok(again.query("SELECT count(*) FROM Documents;")) == count
