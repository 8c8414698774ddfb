"""Finding and tidying documents from the command line: search, info, move, rename,
describe, delete, mkdir — the window's desk actions, on the same transfer modules.

Ids are checked before anything changes (``typed_ids``): a wrong one is one clear line
and a non-zero exit. Actions on several documents go on after a failure; each failure
is a line on stderr and the exit status is then 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kafdocs.api import Client, KafdocsError
from kafdocs.api.values import number
from kafdocs.commands import (
    EXIT_FAILED,
    UsageError,
    add_connection_options,
    connect,
    emit_json,
)
from kafdocs.i18n import _, ngettext
from kafdocs.termprogress import human_size, terminal_text
from kafdocs.transfer import manage
from kafdocs.transfer.details import document_details
from kafdocs.transfer.folders import list_folders, resolve_folder
from kafdocs.transfer.manage import Outcome, Rights
from kafdocs.transfer.search import search_query, search_words
from kafdocs.transfer.typed_ids import documents

SHOWN_BEFORE_DELETE = 10  # documents named in the delete question; the rest are counted


def add_desk_commands(sub: argparse._SubParsersAction) -> None:
    def command(name: str, help_text: str, func: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(func=func)
        return p

    def finish(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help=_("machine-readable output"))
        add_connection_options(p)

    p = command("search", _("find documents in every folder by title, file name, number "
                            "or description"), cmd_search)
    p.add_argument("text", help=_("words to look for, in this order (case and accents do "
                                  "not matter)"))
    p.add_argument("--folder", help=_("only in this folder (name or id)"))
    finish(p)

    p = command("info", _("show everything about a document, with the records it is "
                          "linked to"), cmd_info)
    p.add_argument("document", help=_("document id (15x42)"))
    finish(p)

    p = command("move", _("move documents to another folder"), cmd_move)
    p.add_argument("documents", nargs="+", help=_("document ids (15x42)"))
    p.add_argument("--folder", required=True, help=_("target folder name or id"))
    finish(p)

    p = command("rename", _("give a document a new title"), cmd_rename)
    p.add_argument("document", help=_("document id (15x42)"))
    p.add_argument("title", help=_("the new title"))
    finish(p)

    p = command("describe", _("set a document's description"), cmd_describe)
    p.add_argument("document", help=_("document id (15x42)"))
    p.add_argument("text", help=_("the new description (\"\" clears it)"))
    finish(p)

    p = command("delete", _("delete documents from the CRM"), cmd_delete)
    p.add_argument("documents", nargs="+", help=_("document ids (15x42)"))
    p.add_argument("--yes", action="store_true",
                   help=_("do not ask first (needed when there is no terminal to ask on)"))
    finish(p)

    p = command("mkdir", _("create a document folder"), cmd_mkdir)
    p.add_argument("name", help=_("the new folder's name"))
    p.add_argument("--description", default="", help=_("the folder's description"))
    finish(p)


# -- search and info ----------------------------------------------------------
def _row(record: dict[str, Any], folders: dict[str, str]) -> dict[str, Any]:
    return {"id": record.get("id", ""), "number": record.get("note_no", ""),
            "title": record.get("notes_title", ""), "file_name": record.get("filename", ""),
            "folder_id": record.get("folderid", ""),
            "folder": folders.get(str(record.get("folderid", "")), ""),
            "size": number(record.get("filesize")), "modified": record.get("modifiedtime", "")}


def cmd_search(args: argparse.Namespace) -> int:
    if not search_words(args.text):
        raise UsageError(_("Give a word to search for"))
    with connect(args) as client:
        folder_id = resolve_folder(client, args.folder).id if args.folder else None
        folders = {f.id: f.name for f in list_folders(client)}
        found = [_row(r, folders) for r in client.iter_query(search_query(args.text,
                                                                           folder_id))]
    if args.json:
        emit_json(found)
        return 0
    for row in found:
        size = human_size(row["size"]) if row["size"] is not None else "-"
        row = {**row, "modified": client.server_zone.local_text(row["modified"])}
        fields = [terminal_text(row[k] or "") for k in
                  ("id", "number", "modified", "title", "file_name", "folder")]
        print(f"{fields[0]:>10}  {fields[1]:>8}  {size:>9}  {fields[2]:19}  {fields[3]}  "
              f"({fields[4] or '-'}) — {fields[5]}")
    print(ngettext("{count} document found", "{count} documents found", len(found))
          .format(count=len(found)), file=sys.stderr)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    with connect(args) as client:
        (record,) = documents(client, [args.document])
        details = document_details(client, record)
        info = details.as_json(client)
    if args.json:
        emit_json(info)
        return 0
    size, zone = info["size"], client.server_zone
    lines = [
        (_("Title"), info["title"]), (_("Number"), info["number"]), (_("Id"), info["id"]),
        (_("Folder"), info["folder"] or info["folder_id"]),
        (_("Web link") if info["link"] else _("File name"), info["file_name"]),
        (_("Type"), info["type"]),
        (_("Size"), human_size(size) if size is not None and not info["link"] else ""),
        (_("Owner"), info["owner"]), (_("Created"), zone.local_text(info["created"])),
        (_("Modified"), zone.local_text(info["modified"])),
        (_("Description"), info["description"]),
        (_("Linked to"), _linked_text(info["linked"])), (_("In the CRM"), info["web_page"]),
    ]
    width = max(len(label) for label, _value in lines)
    for label, value in lines:
        print(f"{label:<{width}}  {terminal_text(value or '-')}")
    return 0


def _linked_text(linked: list[dict[str, str]] | None) -> str:
    if linked is None:
        return _("unknown (the server does not tell)")
    return "; ".join(f"{x['name']} ({x['id']})" for x in linked) or _("no record")


# -- changes ------------------------------------------------------------------
def _allowed(client: Client, what: str) -> Rights:
    allowed = manage.rights(client)
    if not getattr(allowed, what):
        raise UsageError({
            "update": _("Your CRM user may not change documents."),
            "delete": _("Your CRM user may not delete documents."),
        }[what])
    return allowed


def _report(outcomes: list[Outcome], as_json: bool, done_line: str, **more: str) -> int:
    """One line per document done (stdout), one per failure (stderr); the exit status.
    ``done_line`` has the placeholders {id}, {title} and those of ``more``."""
    if as_json:
        emit_json([{"id": o.id, "title": o.title, "ok": o.ok, "error": o.error or None}
                   for o in outcomes])
    for o in outcomes:
        if o.ok and not as_json:
            print(done_line.format(id=terminal_text(o.id), title=terminal_text(o.title),
                                   **{k: terminal_text(v) for k, v in more.items()}))
        elif not o.ok:
            print("kafdocs: " + _("failed: {title} ({id}): {reason}").format(
                title=terminal_text(o.title), id=terminal_text(o.id),
                reason=terminal_text(o.error)), file=sys.stderr)
    return EXIT_FAILED if any(not o.ok for o in outcomes) else 0


def cmd_move(args: argparse.Namespace) -> int:
    with connect(args) as client:
        _allowed(client, "update")
        folder = resolve_folder(client, args.folder)
        records = documents(client, args.documents)
        outcomes = manage.move(client, records, folder)
    return _report(outcomes, args.json, _("{id}: “{title}” moved to “{folder}”"),
                   folder=folder.name)


def cmd_rename(args: argparse.Namespace) -> int:
    with connect(args) as client:
        _allowed(client, "update")
        records = documents(client, [args.document])
        outcomes = manage.rename(client, records, args.title)
    return _report(outcomes, args.json, _("{id}: renamed from “{title}”"))


def cmd_describe(args: argparse.Namespace) -> int:
    with connect(args) as client:
        _allowed(client, "update")
        records = documents(client, [args.document])
        outcomes = manage.set_description(client, records, args.text)
    return _report(outcomes, args.json, _("{id}: description of “{title}” changed"))


def cmd_delete(args: argparse.Namespace) -> int:
    with connect(args) as client:
        _allowed(client, "delete")
        records = documents(client, args.documents)
        if not args.yes:
            _confirm_delete(records)
        outcomes = manage.delete(client, records)
    return _report(outcomes, args.json, _("{id}: “{title}” deleted"))


def _confirm_delete(records: list[dict[str, Any]]) -> None:
    """Ask on the terminal; with no terminal to ask on, refuse rather than guess."""
    if not sys.stdin.isatty():
        raise UsageError(_("Deleting needs a confirmation: add --yes (no terminal to ask on)"))
    names = [f"  {terminal_text(r.get('notes_title', ''))} ({terminal_text(r['id'])})"
             for r in records[:SHOWN_BEFORE_DELETE]]
    if len(records) > SHOWN_BEFORE_DELETE:
        more = len(records) - SHOWN_BEFORE_DELETE
        names.append("  " + ngettext("and {count} more", "and {count} more", more)
                     .format(count=more))
    print(ngettext("Delete this document from the CRM?", "Delete these {count} documents "
                   "from the CRM?", len(records)).format(count=len(records)), file=sys.stderr)
    print("\n".join(names), file=sys.stderr)
    print(_("The CRM keeps deleted documents in its recycle bin, from where an "
            "administrator can restore them."), file=sys.stderr)
    try:
        answer = input(_("Delete? [y/N] "))
    except EOFError:
        answer = ""
    if answer.strip().casefold() not in {_("y"), _("yes"), "y", "yes"}:
        raise KafdocsError(_("Nothing deleted."))


def cmd_mkdir(args: argparse.Namespace) -> int:
    with connect(args) as client:
        folder = manage.create_folder(client, args.name, args.description)
    if args.json:
        emit_json({"id": folder.id, "name": folder.name, "description": folder.description})
    else:
        print(_("Folder “{name}” created ({id})").format(name=terminal_text(folder.name),
                                                        id=folder.id))
    return 0
