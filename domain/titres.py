"""The titres professionnels a centre prepares for, each in its version (millésime: its CCPs and RNCP
code change with it), with its CCPs in order; recorded by administrators, read by everyone. A
session's sigle and millésime find its titre; a CCP session names one of its CCPs."""
import re

from domain import DomainError, administration, spreadsheets
from domain.forms import InvalidForm, collect
from domain.inputs import clean_text, parse_date
from domain.spreadsheets import InvalidFile
from formats import fr_date
from models import Titre, TitreCcp, db

_CODE = re.compile(r"^[\w.\-/ ]{1,30}$")


def _text(form, errors, name, label, max_length, required=False):
    def clean():
        value = clean_text(form.get(name), multiline=False, max_length=max_length, label=label)
        if required and not value:
            raise DomainError(f"{label} : ce champ est obligatoire.", name)
        return value
    return collect(errors, name, clean)


def clean_ccps(text):
    """The CCPs typed one per line as « code;libellé », in order; DomainError naming the line."""
    ccps, seen = [], set()
    for number, line in enumerate((text or "").replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        code, separator, libelle = line.partition(";")
        code, libelle = code.strip(), libelle.strip()
        if not separator or not _CODE.match(code) or not libelle:
            raise DomainError(f"CCP, ligne {number} : écrivez « code;libellé » (ex. CP-01234;Développer une interface).",
                              "ccps")
        if code.upper() in seen:
            raise DomainError(f"CCP, ligne {number} : le code {code} figure deux fois.", "ccps")
        seen.add(code.upper())
        ccps.append((code, clean_text(libelle, multiline=False, max_length=300, label=f"CCP, ligne {number}")))
    return ccps


def clean_titre(form):
    errors = {}
    values = {
        "sigle": _text(form, errors, "sigle", "Sigle", 30, required=True),
        "millesime": _text(form, errors, "millesime", "Millésime (version)", 20, required=True),
        "libelle": _text(form, errors, "libelle", "Libellé", 300, required=True),
        "niveau": _text(form, errors, "niveau", "Niveau", 10),
        "code_rncp": _text(form, errors, "code_rncp", "Code RNCP", 20),
    }
    until = (form.get("fin_validite") or "").strip()
    values["fin_validite"] = collect(errors, "fin_validite", lambda: parse_date(until, "Fin de validité")) if until else None
    ccps = collect(errors, "ccps", lambda: clean_ccps(form.get("ccps")))
    if errors:
        raise InvalidForm(errors)
    values["sigle"] = values["sigle"].upper()
    return values, ccps


def save_titre(admin, form, titre=None):
    """Create a titre's version (or change `titre`), its CCPs replaced by the list typed; a sigle and
    millésime recorded twice is refused."""
    values, ccps = clean_titre(form)
    with db.atomic():
        twin = Titre.get_or_none((Titre.sigle == values["sigle"]) & (Titre.millesime == values["millesime"]))
        if twin is not None and (titre is None or twin.id != titre.id):
            raise InvalidForm({"millesime": f"Le titre {values['sigle']} millésime {values['millesime']} est déjà "
                                            "enregistré : modifiez-le."})
        if titre is None:
            titre = Titre.create(**values)
        else:
            Titre.update(**values).where(Titre.id == titre.id).execute()
            TitreCcp.delete().where(TitreCcp.titre == titre.id).execute()
        for position, (code, libelle) in enumerate(ccps, start=1):
            TitreCcp.create(titre=titre.id, position=position, code=code, libelle=libelle)
        administration.log(admin, "Titre enregistré", f"{values['sigle']} {values['millesime']}",
                           f"{values['libelle']} ; {len(ccps)} CCP")
    return Titre.get_by_id(titre.id)


def titre_of(sigle, millesime):
    """The titre recorded for a session's sigle and millésime, or None."""
    return Titre.get_or_none((Titre.sigle == (sigle or "").strip().upper()) & (Titre.millesime == (millesime or "").strip()))


def ccps_of(titre):
    return list(TitreCcp.select().where(TitreCcp.titre == titre.id).order_by(TitreCcp.position))


def titre_json(titre, ccps):
    return {"id": titre.id, "sigle": titre.sigle, "millesime": titre.millesime, "libelle": titre.libelle,
            "niveau": titre.niveau, "code_rncp": titre.code_rncp,
            "fin_validite": titre.fin_validite.isoformat() if titre.fin_validite else None,
            "ccps": [{"code": c.code, "libelle": c.libelle} for c in ccps]}


def all_titres():
    """[(titre, its CCPs)] in sigle and millésime order (two queries)."""
    titres = list(Titre.select().order_by(Titre.sigle, Titre.millesime.desc()))
    ccps = {}
    for ccp in TitreCcp.select().order_by(TitreCcp.position):
        ccps.setdefault(ccp.titre_id, []).append(ccp)
    return [(t, ccps.get(t.id, [])) for t in titres]


# The columns of the titres' spreadsheet: one line per CCP (a titre without CCP: one line, CCP cells empty).
CSV_COLUMNS = ("Sigle", "Millésime", "Libellé", "Niveau", "Code RNCP", "Fin de validité", "Code CCP", "Libellé CCP")
_KEYS = ("sigle", "millesime", "libelle", "niveau", "code_rncp", "fin_de_validite", "code_ccp", "libelle_ccp")


def csv_rows():
    """The titres as their spreadsheet lists them (documents.spreadsheet.csv_bytes writes it)."""
    for titre, ccps in all_titres():
        base = (titre.sigle, titre.millesime, titre.libelle, titre.niveau, titre.code_rncp,
                fr_date(titre.fin_validite))
        for ccp in ccps or [None]:
            yield (*base, ccp.code if ccp else "", ccp.libelle if ccp else "")


def import_titres(admin, content):
    """The titres of a spreadsheet (CSV_COLUMNS, French CSV), each version created or replaced with its
    CCPs in the file's order — all of them or none (InvalidFile naming each problem's line)."""
    lines = spreadsheets.rows(content)
    if not lines:
        raise InvalidFile(["le fichier est vide"], "aucun titre importé")
    header = [spreadsheets.normalized(name) for name in spreadsheets.without_trailing_blanks(lines[0][1])]
    missing = [label for key, label in zip(_KEYS, CSV_COLUMNS) if key not in header and key in ("sigle", "millesime", "libelle")]
    if missing:
        raise InvalidFile([f"ligne 1 : colonne {', '.join(missing)} absente (colonnes : {' ; '.join(CSV_COLUMNS)})"],
                          "aucun titre importé")
    forms, first_line = {}, {}
    for number, cells in lines[1:]:
        row = dict(zip(header, (c.strip() for c in cells)))
        key = ((row.get("sigle") or "").upper(), row.get("millesime") or "")
        form = forms.setdefault(key, {"sigle": row.get("sigle", ""), "millesime": row.get("millesime", ""),
                                      "libelle": row.get("libelle", ""), "niveau": row.get("niveau", ""),
                                      "code_rncp": row.get("code_rncp", ""),
                                      "fin_validite": row.get("fin_de_validite", ""), "ccps": []})
        first_line.setdefault(key, number)
        if row.get("code_ccp") or row.get("libelle_ccp"):
            form["ccps"].append(f"{row.get('code_ccp', '')};{row.get('libelle_ccp', '')}")
    if not forms:
        raise InvalidFile(["aucune ligne de titre sous l'en-tête"], "aucun titre importé")
    problems = []
    for key, form in forms.items():
        form["ccps"] = "\n".join(form["ccps"])
        try:
            clean_titre(form)
        except InvalidForm as exc:
            problems += [f"ligne {first_line[key]} ({form['sigle']} {form['millesime']}) : {message}"
                         for message in exc.errors.values()]
    if problems:
        raise InvalidFile(problems, "aucun titre importé")
    with db.atomic():
        for form in forms.values():
            titre = titre_of(form["sigle"], form["millesime"])
            save_titre(admin, form, titre)
    return len(forms)
