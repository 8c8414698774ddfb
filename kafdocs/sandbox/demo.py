"""Demo data: folders, documents, accounts, contacts and products of a French office.

The records have stable ids, so that documentation and tests can name them:
accounts 11x40-11x44 (11x42 is "Boulangerie Dupré"), contacts 12x50-12x55,
products 14x60-14x64.
"""

from __future__ import annotations

import functools
import io
import struct
import unicodedata
import zipfile
import zlib

from .schema import ACCOUNTS, CONTACTS, DOCUMENT_FOLDERS, DOCUMENTS, PRODUCTS
from .store import Store

FOLDERS = [
    ("Default", "This is a Default Folder"),
    ("Contrats", "Contrats clients signés"),
    ("Factures 2026", "Factures émises"),
    ("Ressources humaines", "Documents du personnel"),
    ("Marketing & Communication", "Plaquettes, logos, photos"),
    ("Fiches produits", "Fiches techniques et notices"),
]

# crmid: (name, city, phone, website)
ACCOUNTS_DATA = {
    40: ("Cabinet Lefèvre & Associés", "Paris", "01 42 60 18 75", "www.lefevre-avocats.fr"),
    41: ("Énergies du Sud", "Marseille", "04 91 33 27 10", "www.energies-du-sud.fr"),
    42: ("Boulangerie Dupré", "Lyon", "04 78 42 16 09", ""),
    43: ("Atelier Moreau Menuiserie", "Nantes", "02 40 48 73 21", "www.atelier-moreau.fr"),
    44: ("Pharmacie du Marché", "Bordeaux", "05 56 81 02 44", ""),
}
# crmid: (first name, last name, account, city)
CONTACTS_DATA = {
    50: ("Amélie", "Dupré", 42, "Lyon"),
    51: ("Marc", "Dupré", 42, "Lyon"),
    52: ("Jérôme", "Lefèvre", 40, "Paris"),
    53: ("Zoé", "Martin", 41, "Marseille"),
    54: ("Lucas", "Moreau", 43, "Nantes"),
    55: ("Claire", "Fontaine", 44, "Bordeaux"),
}
# crmid: (name, code, category, price, photos as PNG seeds)
PRODUCTS_DATA = {
    60: ("Four à sole électrique FS-200", "FS-200", "Hardware", "8450.00", (30, 90)),
    61: ("Pétrin spirale 40 L", "PS-40", "Hardware", "3120.00", (150,)),
    62: ("Vitrine réfrigérée 1,20 m", "VR-120", "Hardware", "2690.00", (210,)),
    63: ("Panneau solaire 400 W", "PV-400", "Hardware", "289.00", (60, 120)),
    64: ("Logiciel de caisse Boulange+", "LOG-BP", "Software", "590.00", ()),
}


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


@functools.lru_cache(maxsize=64)
def png(width: int, height: int, seed: int) -> bytes:
    """A gradient picture, as a valid PNG (made once: every test sandbox shows it)."""
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
# folder: [(title, file name, type, content, linked record ids)]
DOCUMENTS_BY_FOLDER = {
    "Contrats": [
        ("Contrat de maintenance Dupré", "Contrat maintenance Dupré 2026.pdf", "application/pdf",
         lambda: pdf("Contrat de maintenance - Boulangerie Dupre"), (42,)),
        ("Avenant n°2 Lefèvre", "Avenant n°2 - Lefèvre.docx", DOCX,
         lambda: docx("Avenant n°2 au contrat du 12 mars 2026"), (52,)),
        ("Conditions générales de vente", "CGV 2026.pdf", "application/pdf",
         lambda: pdf("Conditions generales de vente 2026"), ()),
        ("Contrat d'installation photovoltaïque", "Contrat PV Énergies du Sud.pdf",
         "application/pdf", lambda: pdf("Contrat d'installation - Energies du Sud"), (41, 63)),
        ("Bon de commande Moreau", "BC-2026-118 Moreau.pdf", "application/pdf",
         lambda: pdf("Bon de commande BC-2026-118"), (43,)),
    ],
    "Factures 2026": [
        (f"Facture F2026-{n:03d}", f"Facture F2026-{n:03d}.pdf", "application/pdf",
         (lambda n=n: pdf(f"Facture F2026-{n:03d}")), (40 + n % 5,)) for n in range(1, 9)
    ] + [("Relevé des paiements", "relevé_paiements_T3.csv", "text/csv",
          lambda: "date;client;montant\n2026-07-02;Dupré;1 250,00\n2026-08-14;Lefèvre;980,50\n"
          .encode(), ())],
    "Ressources humaines": [
        ("Procès-verbal réunion CSE", "Procès-verbal réunion CSE.pdf", "application/pdf",
         lambda: pdf("Proces-verbal de la reunion du CSE"), ()),
        ("Planning congés été", "Planning congés été.txt", "text/plain",
         lambda: "Juillet : Amélie, Jérôme\nAoût : Zoé\n".encode(), ()),
    ],
    "Marketing & Communication": [
        ("Photo équipe", "Photo équipe été.png", "image/png", lambda: png(160, 100, 40), ()),
        ("Logo couleur", "logo_couleur.png", "image/png", lambda: png(64, 64, 200), ()),
        ("Plaquette commerciale", "Plaquette « Énergie » 2026.pdf", "application/pdf",
         lambda: pdf("Plaquette commerciale 2026"), (41,)),
    ],
    "Fiches produits": [
        ("Fiche technique four FS-200", "Fiche FS-200.pdf", "application/pdf",
         lambda: pdf("Four a sole electrique FS-200 - fiche technique"), (60, 42)),
        ("Notice pétrin PS-40", "Notice pétrin PS-40.pdf", "application/pdf",
         lambda: pdf("Petrin spirale 40 L - notice"), (61,)),
        ("Garantie panneaux PV-400", "Garantie PV-400.pdf", "application/pdf",
         lambda: pdf("Panneau solaire 400 W - garantie 25 ans"), (63,)),
    ],
    "Default": [
        ("Note de bienvenue", "Bienvenue.txt", "text/plain",
         lambda: "Bienvenue dans le bac à sable kafdocs !\n".encode(), ()),
    ],
}


def populate(store: Store, user_id: str) -> None:
    """Fill an empty store; does nothing once it holds documents."""
    if store.fetch("SELECT count(*) FROM documents")[0][0]:
        return
    folders = _folders(store)
    now = store.now_text()
    common = {"assigned_user_id": user_id, "createdtime": now, "modifiedtime": now,
              "modifiedby": user_id, "source": "CRM", "description": ""}
    _records(store, common)
    del common["description"]
    for folder, docs in DOCUMENTS_BY_FOLDER.items():
        for title, filename, mime, make, links in docs:
            docid = _document(store, common, folders[folder], title, filename, mime, make())
            for crmid in links:
                store.relate(crmid, docid)
    store.insert(DOCUMENTS, {
        "notes_title": "Site de l'entreprise", "folderid": folders["Marketing & Communication"],
        **common, "starred": "0", "tags": "", "notecontent": "Lien externe",
        "filelocationtype": "E", "filestatus": "1", "filename": "https://www.example.fr/",
        "filesize": "0", "filetype": "", "fileversion": "", "filedownloadcount": "0"})


def _records(store: Store, common: dict[str, str]) -> None:
    """Accounts, their contacts, and products with their photos, at stable ids."""
    for crmid, (name, city, phone, website) in ACCOUNTS_DATA.items():
        store.insert(ACCOUNTS, {"accountname": name, "bill_city": city, "phone": phone,
                                "website": website, "email1": "", **common}, crmid=crmid)
    for crmid, (first, last, account, city) in CONTACTS_DATA.items():
        company = ACCOUNTS_DATA[account][0].split()[-1].lower()
        email = f"{_ascii(first)}.{_ascii(last)}@{_ascii(company)}.fr"
        store.insert(CONTACTS, {"firstname": first, "lastname": last, "email": email,
                                "phone": "", "mailingcity": city,
                                "account_id": f"{ACCOUNTS.prefix}x{account}", **common},
                     crmid=crmid)
    for crmid, (name, code, category, price, _) in PRODUCTS_DATA.items():
        store.insert(PRODUCTS, {"productname": name, "productcode": code,
                                "productcategory": category, "unit_price": price,
                                "qtyinstock": "4", "discontinued": "1",
                                "imagename": "", **common}, crmid=crmid)
    for crmid, (_, code, _, _, photos) in PRODUCTS_DATA.items():  # after: files take ids
        for n, seed in enumerate(photos, 1):
            photo = png(120, 90, seed)
            tmp = store.new_blob_path()
            tmp.write_bytes(photo)
            store.add_attachment(crmid, f"{code}-{n}.png", "image/png", len(photo), tmp,
                                 kind="Products Image")


def _document(store: Store, common: dict[str, str], folder: str, title: str, filename: str,
              mime: str, content: bytes) -> int:
    docid = store.insert(DOCUMENTS, {
        "notes_title": title, "folderid": folder, **common,
        "starred": "0", "tags": "", "notecontent": "", "filelocationtype": "I",
        "filestatus": "1", "filename": filename, "filesize": str(len(content)),
        "filetype": mime, "fileversion": "", "filedownloadcount": ""})
    tmp = store.new_blob_path()
    tmp.write_bytes(content)
    store.add_attachment(docid, filename, mime, len(content), tmp)
    return docid


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


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
