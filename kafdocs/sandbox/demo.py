"""Demo data: a few folders and documents that look like a French office's CRM."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from .schema import ACCOUNTS, CONTACTS, DOCUMENT_FOLDERS, DOCUMENTS
from .store import Store, now_text

FOLDERS = [
    ("Default", "This is a Default Folder"),
    ("Contrats", "Contrats clients signés"),
    ("Factures 2026", "Factures émises"),
    ("Ressources humaines", "Documents du personnel"),
    ("Marketing & Communication", "Plaquettes, logos, photos"),
]

ACCOUNT_NAMES = [("Boulangerie Dupré", "Lyon"), ("Cabinet Lefèvre & Associés", "Paris"),
                 ("Énergies du Sud", "Marseille")]
CONTACT_NAMES = [("Amélie", "Dupré", 0), ("Jérôme", "Lefèvre", 1), ("Zoé", "Martin", 2)]


def pdf(title: str) -> bytes:
    """A small but valid one-page PDF showing ``title``."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 24 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (n, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def png(width: int, height: int, seed: int) -> bytes:
    """A gradient picture, as a valid PNG."""
    rows = b"".join(
        b"\x00" + bytes(
            v for x in range(width)
            for v in ((x * 255 // width + seed) % 256, (y * 255 // height) % 256, (seed * 7) % 256)
        )
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def docx(paragraph: str) -> bytes:
    """A minimal Word document that office suites open."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
                   'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/><Override '
                   'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas'
                   '.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                   'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                   'officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
                   'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
                   f"{paragraph}</w:t></w:r></w:p></w:body></w:document>")
    return buf.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCUMENTS_BY_FOLDER = {
    "Contrats": [
        ("Contrat de maintenance Dupré", "Contrat maintenance Dupré 2026.pdf", "application/pdf",
         lambda: pdf("Contrat de maintenance - Boulangerie Dupre")),
        ("Avenant n°2 Lefèvre", "Avenant n°2 - Lefèvre.docx", DOCX,
         lambda: docx("Avenant n°2 au contrat du 12 mars 2026")),
        ("Conditions générales de vente", "CGV 2026.pdf", "application/pdf",
         lambda: pdf("Conditions generales de vente 2026")),
    ],
    "Factures 2026": [
        (f"Facture F2026-{n:03d}", f"Facture F2026-{n:03d}.pdf", "application/pdf",
         (lambda n=n: pdf(f"Facture F2026-{n:03d}"))) for n in range(1, 9)
    ] + [("Relevé des paiements", "relevé_paiements_T3.csv", "text/csv",
          lambda: "date;client;montant\n2026-07-02;Dupré;1 250,00\n2026-08-14;Lefèvre;980,50\n"
          .encode())],
    "Ressources humaines": [
        ("Procès-verbal réunion CSE", "Procès-verbal réunion CSE.pdf", "application/pdf",
         lambda: pdf("Proces-verbal de la reunion du CSE")),
        ("Planning congés été", "Planning congés été.txt", "text/plain",
         lambda: "Juillet : Amélie, Jérôme\nAoût : Zoé\n".encode()),
    ],
    "Marketing & Communication": [
        ("Photo équipe", "Photo équipe été.png", "image/png", lambda: png(160, 100, 40)),
        ("Logo couleur", "logo_couleur.png", "image/png", lambda: png(64, 64, 200)),
        ("Plaquette commerciale", "Plaquette « Énergie » 2026.pdf", "application/pdf",
         lambda: pdf("Plaquette commerciale 2026")),
    ],
    "Default": [
        ("Note de bienvenue", "Bienvenue.txt", "text/plain",
         lambda: "Bienvenue dans le bac à sable kafdocs !\n".encode()),
    ],
}


def populate(store: Store, user_id: str) -> None:
    """Fill an empty store; does nothing when folders beyond Default already exist."""
    if store.fetch("SELECT count(*) FROM documents")[0][0]:
        return
    folders = _folders(store)
    now = now_text()
    common = {"assigned_user_id": user_id, "createdtime": now, "modifiedtime": now,
              "modifiedby": user_id, "source": "CRM"}
    accounts = [store.insert(ACCOUNTS, {"accountname": name, "bill_city": city, **common,
                                        "description": ""})
                for name, city in ACCOUNT_NAMES]
    for first, last, acc in CONTACT_NAMES:
        store.insert(CONTACTS, {"firstname": first, "lastname": last, "email":
                                f"{first.lower()}@example.fr",
                                "account_id": f"{ACCOUNTS.prefix}x{accounts[acc]}", **common})
    for folder, docs in DOCUMENTS_BY_FOLDER.items():
        for n, (title, filename, mime, make) in enumerate(docs):
            content = make()
            docid = store.insert(DOCUMENTS, {
                "notes_title": title, "folderid": folders[folder], **common,
                "starred": "0", "tags": "", "notecontent": "", "filelocationtype": "I",
                "filestatus": "1", "filename": filename, "filesize": str(len(content)),
                "filetype": mime, "fileversion": "", "filedownloadcount": ""})
            tmp = store.new_blob_path()
            tmp.write_bytes(content)
            store.add_attachment(docid, filename, mime, len(content), tmp)
            if folder == "Contrats":
                store.relate(accounts[n % len(accounts)], docid)
    store.insert(DOCUMENTS, {
        "notes_title": "Site de l'entreprise", "folderid": folders["Marketing & Communication"],
        **common, "starred": "0", "tags": "", "notecontent": "Lien externe",
        "filelocationtype": "E", "filestatus": "1", "filename": "https://www.example.fr/",
        "filesize": "0", "filetype": "", "fileversion": "", "filedownloadcount": "0"})


def _folders(store: Store) -> dict[str, str]:
    out = {}
    for seq, (name, description) in enumerate(FOLDERS, 1):
        found = store.fetch("SELECT crmid FROM folders WHERE foldername = ?", (name,))
        crmid = found[0][0] if found else store.insert(DOCUMENT_FOLDERS, {
            "foldername": name, "description": description, "createdby": "",
            "sequence": str(seq)})
        out[name] = f"{DOCUMENT_FOLDERS.prefix}x{crmid}"
    return out


def ensure_default_folder(store: Store) -> None:
    """Every vtiger install has folder 22x1, "Default"."""
    if not store.fetch("SELECT 1 FROM folders WHERE crmid = 1"):
        store.insert(DOCUMENT_FOLDERS, {"foldername": "Default",
                                        "description": "This is a Default Folder",
                                        "createdby": "", "sequence": "1"})
