"""The server's zone: from the login, checked against the first record written, or set
by the user; record times become the right moments, on both flavours."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kafdocs.api import Client
from kafdocs.api.servertime import OBSERVED, SETTING, ServerZone, observed, zone_named
from kafdocs.cli import main
from kafdocs.sandbox.schema import USERS
from kafdocs.transfer import JobState
from kafdocs.transfer.download import document_job
from kafdocs.transfer.upload import UploadRequest, upload_job
from tests.conftest import ACCESS_KEY
from tests.transfer.conftest import run_all

DOC = {"notes_title": "Heure", "folderid": "22x1", "filestatus": "1"}


def server(make_sandbox, flavour: str, zone: str, user_zone: str):
    """A sandbox whose record times are in ``zone`` and whose user says ``user_zone``."""
    box = make_sandbox(flavour=flavour, time_zone=zone)
    store = box.server.store
    (crmid,) = store.fetch("SELECT crmid FROM users WHERE user_name = 'admin'")[0]
    store.update(USERS, crmid, {"time_zone": user_zone})
    return box


def test_record_times_are_read_in_the_zone_given() -> None:
    tokyo = ServerZone("Asia/Tokyo")
    assert tokyo.timestamp("2026-03-04 18:00:00") == datetime(2026, 3, 4, 9, tzinfo=UTC
                                                               ).timestamp()
    assert ServerZone("UTC+05:30").timestamp("2026-03-04 18:00:00") == datetime(
        2026, 3, 4, 12, 30, tzinfo=UTC).timestamp()
    assert tokyo.timestamp("") is None and tokyo.timestamp("0000-00-00 00:00:00") is None
    assert zone_named("Mars/Olympus") is None and zone_named("UTC+15:00") is None


def test_the_offset_observed_is_rounded_to_a_quarter_of_an_hour() -> None:
    now = datetime(2026, 7, 1, 12, 0, tzinfo=UTC).timestamp()
    seven_minutes_fast = "2026-07-01 21:07:00"  # Tokyo, with a server clock a little off
    seen = observed(seven_minutes_fast, now - 1, now + 1, ServerZone("Europe/Paris", "login"))
    assert seen == ServerZone("UTC+09:00", OBSERVED)
    assert observed("2026-07-01 14:00:00", now, now, ServerZone("Europe/Paris", "login")) \
        == ServerZone("Europe/Paris", OBSERVED)  # the login was right: its DST rules kept
    assert observed("1970-01-01 00:00:00", now, now, ServerZone()) is None


@pytest.mark.parametrize("flavour", ["kafinea", "vtiger"])
def test_the_login_zone_is_believed_until_a_record_written_shows_another(
        make_sandbox, flavour: str) -> None:
    box = server(make_sandbox, flavour, zone="Asia/Tokyo", user_zone="Europe/Paris")
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        assert crm.server_zone == ServerZone("Europe/Paris", "login")
        record = crm.create("Documents", {**DOC, "assigned_user_id": crm.user_id})
        assert crm.server_zone == ServerZone("UTC+09:00", OBSERVED)
        written = crm.server_zone.timestamp(record["createdtime"])
        assert written is not None and abs(written - time.time()) < 60
        crm.login()  # signing in again does not forget what was seen
        assert crm.server_zone.source == OBSERVED


@pytest.mark.parametrize("flavour", ["kafinea", "vtiger"])
def test_a_login_zone_confirmed_keeps_its_name(make_sandbox, flavour: str) -> None:
    box = server(make_sandbox, flavour, zone="America/New_York", user_zone="America/New_York")
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        crm.create("Documents", {**DOC, "assigned_user_id": crm.user_id})
        assert crm.server_zone == ServerZone("America/New_York", OBSERVED)


def test_the_users_setting_wins_and_travels_to_another_process(make_sandbox) -> None:
    box = server(make_sandbox, "kafinea", zone="Asia/Tokyo", user_zone="Europe/Paris")
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        crm.set_server_zone("Asia/Tokyo")
        crm.create("Documents", {**DOC, "assigned_user_id": crm.user_id})
        assert crm.server_zone == ServerZone("Asia/Tokyo", SETTING)
        assert Client.from_spec(crm.spec()).server_zone == ServerZone("Asia/Tokyo", SETTING)
        with pytest.raises(ValueError):
            crm.set_server_zone("Paris")
        crm.set_server_zone("")
        assert crm.server_zone == ServerZone("Europe/Paris", "login")


def test_what_a_helper_observed_reaches_the_apps_client(make_sandbox) -> None:
    box = server(make_sandbox, "vtiger", zone="Asia/Tokyo", user_zone="Europe/Paris")
    with Client(box.url, "admin", ACCESS_KEY) as app, \
            Client(box.url, "admin", ACCESS_KEY) as helper:
        helper.create("Documents", {**DOC, "assigned_user_id": helper.user_id})
        app.learn(helper.facts())
        assert app.server_zone == ServerZone("UTC+09:00", OBSERVED)


@pytest.mark.parametrize("flavour", ["kafinea", "vtiger"])
def test_downloaded_files_get_the_true_modification_time(make_sandbox, flavour: str,
                                                         tmp_path: Path) -> None:
    box = server(make_sandbox, flavour, zone="Asia/Tokyo", user_zone="Europe/Paris")
    source = tmp_path / "rapport.txt"
    source.write_text("du texte")
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        (job,) = run_all([upload_job(crm, UploadRequest(source, "22x1"))]).jobs.values()
        record = crm.retrieve(job.meta["doc_id"])
        dest = tmp_path / "dest"
        dest.mkdir()
        (done,) = run_all([document_job(crm, record, dest, "rapport.txt")]).jobs.values()
    assert done.state is JobState.DONE
    assert abs((dest / "rapport.txt").stat().st_mtime - time.time()) < 60


def test_cli_shows_times_in_this_computers_zone_and_takes_a_zone(
        make_sandbox, monkeypatch, capsys) -> None:
    box = server(make_sandbox, "vtiger", zone="Asia/Tokyo", user_zone="Europe/Paris")
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        record = crm.create("Documents", {**DOC, "assigned_user_id": crm.user_id})
    for key, value in {"KAFDOCS_URL": box.url, "KAFDOCS_USER": "admin",
                       "KAFDOCS_ACCESS_KEY": ACCESS_KEY}.items():
        monkeypatch.setenv(key, value)
    assert main(["ls", "Default", "--server-time-zone", "Asia/Tokyo"]) == 0
    moment = ServerZone("Asia/Tokyo").moment(record["modifiedtime"])
    assert moment is not None
    assert moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["ls", "Default", "--server-time-zone", "Tokyo"])
    assert "Tokyo is not a time zone" in capsys.readouterr().err


@pytest.mark.parametrize("flavour", ["kafinea", "vtiger"])
def test_ls_ls_record_info_and_search_show_one_document_at_the_same_time(
        make_sandbox, flavour: str, monkeypatch, capsys) -> None:
    """A server storing its times in Tokyo while its user says Paris at login: every
    command reads the time through the client's one belief, so none disagrees."""
    box = make_sandbox(demo_data=True, flavour=flavour, time_zone="Asia/Tokyo")
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        doc = crm.create("Documents", {**DOC, "notes_title": "Horodatage",
                                       "assigned_user_id": crm.user_id})["id"]
        crm.add_related("11x42", doc)  # an account of the demo data
    for key, value in {"KAFDOCS_URL": box.url, "KAFDOCS_USER": "admin",
                       "KAFDOCS_ACCESS_KEY": ACCESS_KEY}.items():
        monkeypatch.setenv(key, value)
    shown = {}
    for argv, line_of in [(["ls", "Default"], doc), (["ls", "--record", "11x42"], doc),
                          (["info", doc], "Modified"), (["search", "Horodatage"], doc)]:
        assert main(argv) == 0
        (line,) = [ln for ln in capsys.readouterr().out.splitlines() if line_of in ln]
        shown[argv[0] + " " + argv[1]] = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line)
    with Client(box.url, "admin", ACCESS_KEY) as crm:  # a new session: the login's belief
        expected = crm.server_zone.local_text(crm.retrieve(doc)["modifiedtime"])
    assert shown == {command: [expected] for command in shown}
