"""The commands about the records documents belong to: ``kafdocs records TEXT`` (find
accounts, contacts, products) and ``kafdocs link DOC_ID... --record ID``.

``kafdocs ls --record ID`` and ``kafdocs upload --record ID`` / ``--image`` live with
their folder forms in commands.py.
"""

from __future__ import annotations

import argparse
import sys

from kafdocs.commands import EXIT_FAILED, add_connection_options, connect, emit_json
from kafdocs.i18n import N_, _
from kafdocs.termprogress import terminal_text
from kafdocs.transfer.crmrecords import RECORD_MODULES, CrmRecord, link_documents, search_records
from kafdocs.transfer.typed_ids import crm_record, documents

NO_UNLINK = N_("(the CRM's webservice cannot remove a link: do it on the record's page in "
              "the CRM)")


def add_records_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("records", help=_("find accounts, contacts and products by name"))
    p.add_argument("text", help=_("part of the name (case and accents do not matter)"))
    p.add_argument("--module", choices=RECORD_MODULES,
                   help=_("only this kind of record (default: all three)"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    add_connection_options(p)
    p.set_defaults(func=cmd_records)

    p = sub.add_parser("link", help=_("link documents to an account, a contact or a product"),
                       description=_("Link documents to a record; nothing is uploaded "
                                     "again.") + " " + _(NO_UNLINK))
    p.add_argument("documents", nargs="+", help=_("document ids (15x42)"))
    p.add_argument("--record", required=True, metavar="RECORD_ID",
                   help=_("the account, contact or product (11x42)"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    add_connection_options(p)
    p.set_defaults(func=cmd_link)


def record_line(record: CrmRecord) -> str:
    """One record for a terminal: id, kind, name, and what tells it from homonyms."""
    line = (f"{terminal_text(record.id):>10}  {record.kind:<9}  "
            f"{terminal_text(record.name) or '-'}")
    return line + (f"  ({terminal_text(record.details)})" if record.details else "")


def cmd_records(args: argparse.Namespace) -> int:
    with connect(args) as client:
        found = search_records(client, args.text,
                               (args.module,) if args.module else RECORD_MODULES)
    if args.json:
        emit_json([record.as_json() for record in found])
        return 0
    if not found:
        print("kafdocs: " + _("no account, contact or product matches “{text}”").format(
            text=terminal_text(args.text)), file=sys.stderr)
    for record in found:
        print(record_line(record))
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    with connect(args) as client:
        docs = documents(client, args.documents)
        record = crm_record(client, args.record)
        outcome = link_documents(client, record.id, [d["id"] for d in docs])
    if args.json:
        emit_json({"record": record.as_json(), "linked": list(outcome.linked),
                   "already": list(outcome.already),
                   "failed": [{"id": i, "reason": r} for i, r in outcome.failed]})
    else:
        target = f"{terminal_text(record.name)} ({record.id})"
        for doc_id in outcome.linked:
            print(_("{document}: linked to {record}").format(document=doc_id, record=target))
        for doc_id in outcome.already:
            print(_("{document}: already linked to {record}").format(document=doc_id,
                                                                     record=target))
        for doc_id, reason in outcome.failed:
            print("kafdocs: " + _("failed: {name}: {reason}").format(
                name=doc_id, reason=terminal_text(reason)), file=sys.stderr)
    return EXIT_FAILED if outcome.failed else 0
