"""Times of a CRM in another zone are shown in the user's zone (stock vtiger flavour)."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, QLocale

from kafdocs.api import Client
from kafdocs.gui.details import DetailsPanel
from kafdocs.gui.models import FIELDS, DocumentModel
from kafdocs.sandbox.schema import DOCUMENTS, USERS
from tests.conftest import ACCESS_KEY


def test_the_modified_column_and_the_details_show_the_users_zone(qtbot, make_sandbox,
                                                                tasks) -> None:
    box = make_sandbox(flavour="vtiger", time_zone="Asia/Tokyo")
    store = box.server.store
    (crmid,) = store.fetch("SELECT crmid FROM users WHERE user_name = 'admin'")[0]
    store.update(USERS, crmid, {"time_zone": "Asia/Tokyo"})
    store.insert(DOCUMENTS, {"notes_title": "Contrat", "folderid": "22x1", "filestatus": "1",
                             "assigned_user_id": "19x1", "modifiedtime": "2026-03-04 18:00:00"})
    with Client(box.url, "admin", ACCESS_KEY) as client:
        model = DocumentModel(tasks)
        model.set_client(client)
        model.set_folder("22x1")
        qtbot.waitUntil(lambda: model.rowCount() == 1)
        shown = model.data(model.index(0, FIELDS.index("modifiedtime")))
        details = DetailsPanel(client, tasks)
        qtbot.addWidget(details)
        details.show_records([model.record(0)])
        assert details.values["modified"] == shown  # the panel beside the table agrees
    nine_utc = int(datetime(2026, 3, 4, 9, tzinfo=UTC).timestamp())
    expected = QLocale().toString(QDateTime.fromSecsSinceEpoch(nine_utc),
                                  QLocale.FormatType.ShortFormat)
    assert shown == expected
