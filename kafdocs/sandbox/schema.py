"""The modules the sandbox serves, described once for describe, storage and VTQL."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "string"
    mandatory: bool = False
    editable: bool = True
    default: str | None = None  # vtiger_field.defaultvalue: null for most fields
    nullable: bool = True  # whether the MySQL column accepts NULL
    refers_to: tuple[str, ...] = ()
    picklist: tuple[str, ...] = ()
    length: int = 0  # varchar length: MySQL cuts longer values silently; 0 = no limit

    @property
    def numeric(self) -> bool:
        return self.type == "integer"

    @property
    def is_reference(self) -> bool:
        return self.type in ("reference", "owner")

    @property
    def is_text(self) -> bool:
        """Compared with MySQL's case- and accent-insensitive collation."""
        return not self.numeric and not self.is_reference

    def describe(self, *, entity: bool, max_upload: int) -> dict[str, object]:
        kind: dict[str, object] = {"name": self.type}
        if self.type == "reference":
            kind["refersTo"] = list(self.refers_to)
        if self.picklist:
            kind["picklistValues"] = [{"label": v, "value": v} for v in self.picklist]
            kind["defaultValue"] = self.picklist[0]
        if self.type == "file":
            kind["maxUploadFileSize"] = max_upload
        out: dict[str, object] = {
            "name": self.name, "label": self.label, "mandatory": self.mandatory, "type": kind,
        }
        if entity:  # actor modules (DocumentFolders) have neither isunique nor default
            out.update(isunique=False, nullable=self.nullable, editable=self.editable,
                       default=self.default)
        else:
            out.update(nullable=self.nullable, editable=self.editable)
        return out


@dataclass(frozen=True)
class Module:
    name: str
    label: str
    singular: str
    prefix: str
    table: str
    fields: tuple[Field, ...]
    label_fields: tuple[str, ...]
    is_entity: bool = True
    id_source: str = "crmentity"  # which sequence gives record numbers
    id_label: str = "id"
    numbering: tuple[str, str] | None = None  # auto-numbered field and its prefix
    image_field: str = ""  # the multipart part name that adds images (Products)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]


def _f(name: str, label: str, type: str = "string", **kw: object) -> Field:
    return Field(name, label, type, **kw)  # type: ignore[arg-type]


# Who owns a record and when it changed, as every module's describe lists them.
OWNERSHIP_FIELDS = (
    _f("assigned_user_id", "Assigné à", "owner", mandatory=True, nullable=False),
    _f("createdtime", "Date de création", "datetime", editable=False, nullable=False),
    _f("modifiedtime", "Date de modification", "datetime", editable=False, nullable=False),
    _f("modifiedby", "Dernière modification par", "reference", refers_to=("Users",),
       nullable=False),  # editable, as the real describe says (the server sets it anyway)
    _f("source", "Source", editable=False),
)

DOCUMENTS = Module(
    name="Documents",
    label="Documents",
    singular="Document",
    prefix="15",
    table="documents",
    label_fields=("notes_title",),
    id_label="notesid",
    numbering=("note_no", "DOC"),
    fields=(
        _f("notes_title", "Titre", mandatory=True, nullable=False, length=50),
        _f("folderid", "Nom du dossier", "reference", refers_to=("DocumentFolders",),
           nullable=False),
        _f("note_no", "N° de document", editable=False, nullable=False),
        *OWNERSHIP_FIELDS,
        _f("starred", "Favori", "boolean"),
        _f("tags", "Tags"),
        _f("notecontent", "Note", "text"),
        _f("filelocationtype", "Type de téléchargement"),
        _f("filestatus", "Actif", "boolean", default="1"),
        _f("filename", "Nom du fichier", "file"),
        _f("filesize", "Taille", "integer", editable=False, nullable=False),
        _f("filetype", "Type de fichier", editable=False),
        _f("fileversion", "Version"),
        _f("filedownloadcount", "Téléchargements", "integer", editable=False),
    ),
)

DOCUMENT_FOLDERS = Module(
    name="DocumentFolders",
    label="DocumentFolders",
    singular="DocumentFolders",
    prefix="22",
    table="folders",
    label_fields=("foldername",),
    is_entity=False,
    id_source="own",
    id_label="folderid",
    fields=(
        _f("foldername", "Nom du dossier", mandatory=True, nullable=False),
        _f("description", "Description"),
        # The stock install bug: createdby refers to nothing, so no value can pass.
        _f("createdby", "Créé par", "reference", mandatory=True, nullable=False),
        _f("sequence", "Ordre", "integer"),
    ),
)

USERS = Module(
    name="Users",
    label="Utilisateurs",
    singular="Utilisateur",
    prefix="19",
    table="users",
    label_fields=("first_name", "last_name"),
    id_source="own",
    fields=(
        _f("user_name", "Identifiant", mandatory=True, nullable=False),
        _f("first_name", "Prénom"),
        _f("last_name", "Nom", mandatory=True, nullable=False),
        _f("email1", "E-mail", "email", mandatory=True),
        _f("status", "Statut", "picklist", picklist=("Active", "Inactive")),
        _f("is_admin", "Administrateur", "boolean"),
        _f("time_zone", "Fuseau horaire", "picklist"),
        _f("date_format", "Format de date", "picklist"),
    ),
)

# What every ordinary CRM record carries besides its own fields.
CRM_RECORD_FIELDS = (*OWNERSHIP_FIELDS, _f("description", "Description", "text"))

ACCOUNTS = Module(
    name="Accounts",
    label="Comptes",
    singular="Compte",
    prefix="11",
    table="accounts",
    label_fields=("accountname",),
    id_label="account_id",
    numbering=("account_no", "ACC"),
    fields=(
        _f("accountname", "Nom du compte", mandatory=True, nullable=False, length=100),
        _f("account_no", "N° de compte", editable=False, nullable=False),
        _f("phone", "Téléphone", "phone"),
        _f("email1", "E-mail", "email"),
        _f("website", "Site web", "url"),
        _f("bill_city", "Ville"),
        *CRM_RECORD_FIELDS,
    ),
)

CONTACTS = Module(
    name="Contacts",
    label="Contacts",
    singular="Contact",
    prefix="12",
    table="contacts",
    label_fields=("firstname", "lastname"),
    id_label="contact_id",
    numbering=("contact_no", "CON"),
    fields=(
        _f("firstname", "Prénom", length=40),
        _f("lastname", "Nom", mandatory=True, nullable=False, length=80),
        _f("contact_no", "N° de contact", editable=False, nullable=False),
        _f("email", "E-mail", "email"),
        _f("phone", "Téléphone", "phone"),
        _f("mailingcity", "Ville"),
        _f("account_id", "Compte", "reference", refers_to=("Accounts",)),
        *CRM_RECORD_FIELDS,
    ),
)

PRODUCTS = Module(
    name="Products",
    label="Produits",
    singular="Produit",
    prefix="14",
    table="products",
    label_fields=("productname",),
    id_label="product_id",
    numbering=("product_no", "PRO"),
    image_field="imagename",
    fields=(
        _f("productname", "Nom du produit", mandatory=True, nullable=False, length=100),
        _f("product_no", "N° de produit", editable=False, nullable=False),
        _f("productcode", "Référence"),
        _f("productcategory", "Catégorie", "picklist",
           picklist=("--None--", "Hardware", "Software", "CRM Applications")),
        _f("unit_price", "Prix unitaire", "currency"),
        _f("qtyinstock", "Quantité en stock", "double"),
        _f("discontinued", "Actif", "boolean", default="1"),
        _f("imagename", "Image du produit", "image"),
        *CRM_RECORD_FIELDS,
    ),
)

MODULES: dict[str, Module] = {
    m.name: m for m in (DOCUMENTS, DOCUMENT_FOLDERS, USERS, ACCOUNTS, CONTACTS, PRODUCTS)
}
BY_PREFIX: dict[str, Module] = {m.prefix: m for m in MODULES.values()}

# A stock install registers about forty webservice entities (Leads, Calendar, Emails…);
# an id whose prefix is one of them names a module, even when the sandbox does not
# serve it. Any other prefix is no entity at all (vtiger: "denied for id").
KNOWN_PREFIXES = frozenset(str(n) for n in range(1, 41))

# Records that documents can be linked to (add_related / query_related), both ways.
RELATABLE = ("Accounts", "Contacts", "Products")
