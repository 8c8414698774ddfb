"""The modules the sandbox serves, described once for describe, storage and VTQL."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "string"
    mandatory: bool = False
    editable: bool = True
    default: str = ""
    refers_to: tuple[str, ...] = ()
    picklist: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.type == "integer"

    @property
    def is_reference(self) -> bool:
        return self.type in ("reference", "owner")

    def describe(self, *, entity: bool) -> dict[str, object]:
        kind: dict[str, object] = {"name": self.type}
        if self.refers_to or self.type == "reference":
            kind["refersTo"] = list(self.refers_to)
        if self.picklist:
            kind["picklistValues"] = [{"label": v, "value": v} for v in self.picklist]
            kind["defaultValue"] = self.picklist[0]
        out: dict[str, object] = {
            "name": self.name,
            "label": self.label,
            "mandatory": self.mandatory,
            "type": kind,
        }
        if entity:
            out["isunique"] = False
        out.update(nullable=not self.mandatory, editable=self.editable, default=self.default)
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
    extra: dict[str, str] = field(default_factory=dict)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]


def _f(name: str, label: str, type: str = "string", **kw: object) -> Field:
    return Field(name, label, type, **kw)  # type: ignore[arg-type]


# Who owns a record and when it changed, as every module's describe lists them.
OWNERSHIP_FIELDS = (
    _f("assigned_user_id", "Assigné à", "owner", mandatory=True),
    _f("createdtime", "Date de création", "datetime", editable=False),
    _f("modifiedtime", "Date de modification", "datetime", editable=False),
    _f("modifiedby", "Dernière modification par", "reference", refers_to=("Users",)),
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
    fields=(
        _f("notes_title", "Titre", mandatory=True),
        _f("folderid", "Nom du dossier", "reference", refers_to=("DocumentFolders",)),
        _f("note_no", "N° de document", editable=False),
        *OWNERSHIP_FIELDS,
        _f("starred", "Favori", "boolean"),
        _f("tags", "Tags"),
        _f("notecontent", "Note", "text"),
        _f("filelocationtype", "Type de téléchargement"),
        _f("filestatus", "Actif", "boolean", default="1"),
        _f("filename", "Nom du fichier", "file"),
        _f("filesize", "Taille", "integer", editable=False),
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
        _f("foldername", "Nom du dossier", mandatory=True),
        _f("description", "Description"),
        _f("createdby", "Créé par", "reference", mandatory=True),
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
        _f("user_name", "Identifiant", mandatory=True),
        _f("first_name", "Prénom"),
        _f("last_name", "Nom", mandatory=True),
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
    fields=(
        _f("accountname", "Nom du compte", mandatory=True),
        _f("account_no", "N° de compte", editable=False),
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
    fields=(
        _f("firstname", "Prénom"),
        _f("lastname", "Nom", mandatory=True),
        _f("contact_no", "N° de contact", editable=False),
        _f("email", "E-mail", "email"),
        _f("phone", "Téléphone", "phone"),
        _f("account_id", "Compte", "reference", refers_to=("Accounts",)),
        *CRM_RECORD_FIELDS,
    ),
)

MODULES: dict[str, Module] = {
    m.name: m for m in (DOCUMENTS, DOCUMENT_FOLDERS, USERS, ACCOUNTS, CONTACTS)
}
BY_PREFIX: dict[str, Module] = {m.prefix: m for m in MODULES.values()}

# Numbering prefixes of the auto-numbered "no" fields.
NUMBERING = {"Documents": ("note_no", "DOC"), "Accounts": ("account_no", "ACC"),
             "Contacts": ("contact_no", "CON")}

# Modules whose records can be linked to Documents with add_related / query_related.
RELATABLE = ("Accounts", "Contacts")
