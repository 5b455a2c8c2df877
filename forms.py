"""The session form: the header of the official guide, checked field by field.

The form keeps what the user typed (`raw`) so that a refused form comes back as it was sent, with
each error beside its field.
"""
from models import NATURES, DomainError, clean_text, fr_date, parse_date

TEXT_FIELDS = {
    # name: (label, max length, required)
    "site": ("Désignation du site agréé", 200, True),
    "titre": ("Libellé du titre professionnel", 300, True),
    "sigle": ("Sigle du TP", 30, True),
    "millesime": ("Millésime", 20, True),
    "libelle_ccp": ("Libellé du CCP / CCS", 300, False),
    "code_ccp": ("Code CCP", 30, False),
    "responsable": ("Nom du responsable de session", 200, True),
    "suppleant": ("Nom du responsable de session suppléant", 200, False),
}
COUNT_FIELDS = {"nb_formation": "Nombre de candidats en formation", "nb_vae": "Nombre de candidats en VAE"}
MAX_CANDIDATES = 999


class SessionForm:
    fields = (*TEXT_FIELDS, "nature", "date_debut", "date_fin", *COUNT_FIELDS)

    def __init__(self, formdata=None, session=None):
        if formdata is not None:
            self.raw = {name: formdata.get(name, "") for name in self.fields}
        elif session is not None:
            self.raw = {name: str(getattr(session, name)) for name in self.fields if name != "site"}
            self.raw["site"] = session.site.name
        else:
            self.raw = {name: "" for name in self.fields}
            self.raw.update(nature="TITRE", nb_formation="0", nb_vae="0")
        self.errors = {}
        self.header = {}
        self.site = None

    def validate(self):
        """Fill `header` (the session's fields) and `site`, or `errors`; True when the form can be saved."""
        values = {}
        for name, (label, max_length, required) in TEXT_FIELDS.items():
            try:
                values[name] = clean_text(self.raw[name], multiline=False, max_length=max_length, label=label)
            except DomainError as exc:
                self.errors[name] = exc.message
                continue
            if required and not values[name]:
                self.errors[name] = f"{label} : ce champ est obligatoire."

        nature = self.raw["nature"].strip().upper()
        if nature not in NATURES:
            self.errors["nature"] = "Nature de la session : choisissez TITRE, CCP ou CCS."
        elif nature != "TITRE" and not values.get("libelle_ccp") and "libelle_ccp" not in self.errors:
            self.errors["libelle_ccp"] = f"Libellé du CCP / CCS : obligatoire pour une session {nature}."
        values["nature"] = nature

        for name, label in (("date_debut", "Date de début"), ("date_fin", "Date de fin")):
            try:
                values[name] = parse_date(self.raw[name], label)
            except DomainError as exc:
                self.errors[name] = exc.message
        if "date_debut" not in self.errors and "date_fin" not in self.errors and values["date_fin"] < values["date_debut"]:
            self.errors["date_fin"] = (
                f"Date de fin : le {fr_date(values['date_fin'])} est avant la date de début "
                f"({fr_date(values['date_debut'])})."
            )

        for name, label in COUNT_FIELDS.items():
            text = self.raw[name].strip() or "0"
            if not text.isascii() or not text.isdigit():
                self.errors[name] = f"{label} : indiquez un nombre entier positif ou nul."
            elif int(text) > MAX_CANDIDATES:
                self.errors[name] = f"{label} : {MAX_CANDIDATES} candidats au plus."
            else:
                values[name] = int(text)

        if self.errors:
            return False
        self.site = values.pop("site")
        self.header = values
        return True
