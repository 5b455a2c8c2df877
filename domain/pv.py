"""The session's PV after the exam, step by step, with their dates and proofs: signed by the jury,
the individual PVs signed by their evaluators, countersigned, the results entered in CERES, the
original sent to the UD (how, with its reference), the UD's copy back.

Each step marks its guide task done with the same date in the same change (a task ticked by hand
stays possible: the step is the proof). Order where it matters: the countersignature after the
jury's signature, the sending after the countersignature, the copy after the sending, each no
earlier than the step before; every step on or after the deliberation. After the closing, the steps
after the countersignature stay possible (the guide's last tasks run on), journalled after the seal.
"""
from dataclasses import dataclass

from peewee import JOIN

from database import locked
from domain import DomainError, access, checklist, journal, pieces
from domain.forms import InvalidForm, collect
from domain.inputs import clean_field, parse_past_date
from domain.results import deliberation_day
from domain.vocabulary import PV_MODES, PV_STEPS
from formats import fr_date
from models import ChecklistItem, EtapePv, ExamSession, User, db, now

# step: (the guide task it marks done, the step it follows, allowed after the closing)
STEPS = {
    "signe_jury": ("pv_global_signe", None, False),
    "pv_individuels": ("pv_individuels", None, False),
    "contresigne": ("pv_contresigne", "signe_jury", False),
    "ceres_saisi": ("resultats_ceres", None, True),
    "envoye_ud": ("pv_ud", "contresigne", True),
    "copie_ud_recue": (None, "envoye_ud", True),
}
# The task a step's file goes on when the step marks none: the UD's copy, on « A réception de la copie
# du PV de session envoyée par l'UD…, afficher la liste… » (issuing the posted list marks it done).
FILE_TASK = {"copie_ud_recue": "resultats_affichage"}
assert set(STEPS) == set(PV_STEPS)


def steps(session):
    """{step: EtapePv} recorded for the session."""
    return {e.etape: e for e in EtapePv.select(EtapePv, User).join(User, JOIN.LEFT_OUTER, on=(EtapePv.par == User.id))
            .where(EtapePv.session == session).order_by(EtapePv.id)}


@dataclass
class Upload:
    data: bytes
    filename: str
    limits: object


def record_step(user, session_id, form, upload, today):
    """Record (or correct) a step of the PV; InvalidForm (nothing saved) when it is out of order, dated
    wrong or incomplete; Closed after the closing for the steps before the countersignature."""
    errors = {}
    etape = (form.get("etape") or "").strip()
    if etape not in STEPS:
        raise InvalidForm({"etape": "Étape : choisissez une étape du procès-verbal."})
    task_key, after, after_closing = STEPS[etape]
    date = collect(errors, "date", lambda: parse_past_date(form.get("date"), "Date", today))
    mode = reference = ""
    if etape == "envoye_ud":
        mode = (form.get("mode") or "").strip()
        if mode not in PV_MODES:
            errors["mode"] = "Mode d'envoi : choisissez " + ", ".join(f"« {m} »" for m in PV_MODES.values()) + "."
        reference = collect(errors, "reference", lambda: clean_field("reference", form.get("reference"),
                                                                      required=mode in ("lrar", "demarche_en_ligne")))
    if upload is not None:
        collect(errors, "fichier", lambda: pieces.check_file(upload.data, upload.limits))
    if errors:
        raise InvalidForm(errors)
    with db.atomic():
        session = locked(ExamSession.select().where(ExamSession.id == session_id)).get()
        access.require_editable(user, session, after_closing)
        recorded = steps(session)
        day = deliberation_day(session)
        if date < day:
            raise InvalidForm({"date": f"Date : le procès-verbal s'établit après la délibération du jury, le "
                                       f"{fr_date(day)} au plus tôt."})
        if after and after not in recorded:
            raise InvalidForm({"etape": f"{PV_STEPS[etape]} : enregistrez d'abord l'étape « {PV_STEPS[after]} »."})
        if after and date < recorded[after].date:
            raise InvalidForm({"date": f"Date : « {PV_STEPS[after]} » est du {fr_date(recorded[after].date)} ; "
                                       f"« {PV_STEPS[etape]} » ne peut pas la précéder."})
        following = [e for e, (_, before, _) in STEPS.items() if before == etape and e in recorded
                     and recorded[e].date < date]
        if following:
            step = following[0]
            raise InvalidForm({"date": f"Date : « {PV_STEPS[step]} » est du {fr_date(recorded[step].date)}, elle ne "
                                       f"peut pas précéder « {PV_STEPS[etape]} »."})
        piece = None
        file_key = task_key or FILE_TASK.get(etape)
        if upload is not None:
            item = ChecklistItem.get_or_none((ChecklistItem.session == session.id) & (ChecklistItem.key == file_key))
            if item is None:
                raise DomainError("Le guide de cette session n'a pas de tâche pour joindre ce document.", "fichier")
            piece = pieces.attach(user, item, upload.data, upload.filename, upload.limits, checked=True)
        current = recorded.get(etape)
        values = {"date": date, "par": user, "mode": mode, "reference": reference, "saisie_le": now()}
        if piece is not None or current is None:
            values["piece"] = piece
        if current is None:
            row = EtapePv.create(session=session.id, etape=etape, **values)
        else:
            EtapePv.update(**values).where(EtapePv.id == current.id).execute()
            row = EtapePv.get_by_id(current.id)
        journal.record(user, session.id, "pv", describe(current) if current else "", describe(row), checked=True)
        if task_key:
            checklist.mark_key_done(user, session.id, task_key, date, after_closing)
    return row


def describe(step):
    text = f"{PV_STEPS[step.etape]} le {fr_date(step.date)}"
    if step.mode:
        text += f" ({PV_MODES[step.mode]}" + (f", réf. {step.reference}" if step.reference else "") + ")"
    if step.piece_id:
        text += f" ; pièce {step.piece_id}"
    return text


def step_json(step):
    return {"etape": step.etape, "date": step.date.isoformat(), "par": step.par.display_name if step.par_id else None,
            "piece_id": step.piece_id, "mode": step.mode or None, "reference": step.reference or None}
