"""Issuing a document (« Émettre »): the document made for sending and kept as sent.

An issued document (models.Emission) keeps its PDF bytes, their SHA-256 and size, when and by whom,
for whom; it is never changed nor deleted (a new issue supersedes it, both stay listed). Its letter
is dated and placed by its issue (« Lyon, le lundi 10 novembre 2026 »: the site's town), carries
the reference « Réf. CONV-<session>-<n° d'émission> » and no software footer. The GET routes of the
documents stay as previews, marked « PROJET — document non émis ».

Issuing is refused (NotIssuable, 422) while a check the document depends on fails (its catalogue
declaration's `gates`; a jury letter also the habilitation of the juror it goes to); a check still
pending does not hold it back.
"""
import hashlib
from dataclasses import dataclass

from peewee import IntegrityError, fn

from documents import catalogue, session_documents as docs
from documents.pdf import stamp
from database import locked
from domain import DomainError, access, checklist, checks, identity, journal
from domain.candidates import convocation_version, record_convocation
from domain.vocabulary import plural
from formats import fr_date, local
from documents.letters import image_box
from domain.agrements import covering
from models import Agrement, Candidat, Emission, ExamSession, db, now


class NotIssuable(DomainError):
    """Issuing refused: `failures` are (title, message, page endpoint or None), nothing was stored."""

    def __init__(self, failures):
        self.failures = failures
        super().__init__(f"Document non émis : {plural(len(failures), 'contrôle non respecté', 'contrôles non respectés')}"
                         " à corriger d'abord.")


@dataclass
class Recipient:
    """Whom one issued document is for (None: the session's document)."""

    kind: str  # candidat, jure, surveillant, comedien, or ""
    id: int | None
    name: str
    context: dict  # the template's context narrowed to them


def _recipients(document, session, wanted):
    """The issued documents to make: one per candidate or person convoked (or the one named by
    `wanted`, « candidat:12 », « jure:3 », « surveillant », « comedien »), or the session's one."""
    context = document.build(session)
    if document.per == "candidat":
        people = [Recipient("candidat", c.id, c.label, {**context, "candidats": [c]}) for c in context["candidats"]]
        keys = {f"candidat:{r.id}": r for r in people}
    elif document.per == "personne":
        people = [Recipient(p.kind, p.id, p.name, {**context, "people": [p]}) for p in context["people"]]
        keys = {p.key: r for p, r in zip(context["people"], people, strict=True)}
    else:
        if wanted:
            raise DomainError("Ce document concerne la session entière : ne choisissez pas de destinataire.", "destinataire")
        return [Recipient("", None, "", context)]
    if wanted:
        if wanted not in keys:
            raise DomainError("Destinataire inconnu : choisissez une personne de la session.", "destinataire")
        return [keys[wanted]]
    return people


def _failures(document, session, recipients, today):
    """What holds the document back: its gates' checks that fail; for jury letters, each addressed
    juror's habilitation."""
    register = checks.load_register(session)
    found = [(c.title, " ".join((c.message, *c.details)), c.page) for c in checks.run(register, today)
             if c.code in document.gates and c.ok is False]
    if document.per == "personne":
        jurors = {m.jure_id: m.jure for m in register.membres}
        for recipient in recipients:
            if recipient.kind == "jure" and recipient.id in jurors:
                problem = checks.habilitation_problem(jurors[recipient.id], session, today)
                if problem:
                    found.append((checks.DECLARED["jury_habilitations"].title, problem, "register.jury"))
    return found


def letter_context(session, issued_at=None, reference=None, preview=True):
    """What every outgoing document's frame prints: the letterhead (centre, site), where and when the
    letter is written (its issue's date; none for a preview, marked « PROJET ») and its reference."""
    site = session.site
    found = covering(list(Agrement.select().where(Agrement.site == site.id).order_by(Agrement.valide_au.desc())), session)
    return {"centre": session.centre, "site": site, "place": identity.town(site),
            "letter_date": local(issued_at).date() if issued_at else None, "reference": reference,
            "preview": preview and issued_at is None, "agrement": found[0] if found else None,
            "logo": image_box(session.centre.logo, 35, 20), "signature": image_box(site.signature, 50, 18)}


def issue(user, session, file, wanted, maker, today, at=None):
    """Issue the document `file` (convocations, convocations-jury, planning, affichage, emargement) of
    the session, for everyone it addresses or for `wanted`; returns the Emission rows. `maker`: the
    user's PDF gate (documents.pdf.PdfMaker); `at`: now, unless given (the demo's past sessions)."""
    document = catalogue.BY_FILE.get((file or "").strip())
    if document is None or not document.issuable:
        raise DomainError("Document inconnu : choisissez un des documents de la session.", "document")
    try:
        recipients = _recipients(document, session, (wanted or "").strip())
    except docs.MissingData as exc:
        raise DomainError(exc.message, "document") from None
    failures = _failures(document, session, recipients, today)
    if failures:
        raise NotIssuable(failures)
    for attempt in range(3):  # numbers taken meanwhile by a colleague's issue: made again with the next ones
        first = (Emission.select(fn.MAX(Emission.numero)).where(Emission.session == session).scalar() or 0) + 1
        at = at or now()
        made = []
        with maker.slot():
            for number, recipient in enumerate(recipients, start=first):
                reference = catalogue.reference(document.file, session.id, number)
                body = maker.make(f"session-{session.id}-emis", document.template, french=True, session=session, today=today,
                                  **recipient.context, **letter_context(session, at, reference))
                made.append((number, recipient, stamp(body, (f"Réf. {reference}",))))
        try:
            return _store(user, session, document, at, made)
        except IntegrityError:
            if attempt == 2:
                raise


def _store(user, session, document, at, made):
    """Keep the issued documents, journalled; the session's rights checked again under its lock (a closing
    meanwhile refuses them, unless the document is one issued after the closing); issuing a document
    that proves a task (`marks`) marks it done that day."""
    with db.atomic():
        current = locked(ExamSession.select().where(ExamSession.id == session.id)).get()
        access.require_editable(user, current, document.after_closing)
        rows = []
        for number, recipient, pdf in made:
            digest = hashlib.sha256(pdf).hexdigest()
            row = Emission.create(session=session, numero=number, document=document.file,
                                  destinataire_type=recipient.kind, destinataire_id=recipient.id,
                                  destinataire_nom=recipient.name, emis_le=at, emis_par=user, pdf=pdf, sha256=digest,
                                  taille=len(pdf))
            rows.append(row)
            journal.record(user, session, "emission", "",
                           f"{document.label.removesuffix(' (PDF)')} émis" + (f" pour {recipient.name}" if recipient.name else "")
                           + f" : réf. {catalogue.reference(row.document, session.id, row.numero)}, "
                             f"SHA-256 {digest[:12]}…", checked=True)
        if document.marks:
            checklist.mark_key_done(user, session.id, document.marks, local(at).date(), document.after_closing)
    return rows


def record_sent(user, candidat, emission, form, today):
    """« Émettre et enregistrer l'envoi »: the candidate's convocation recorded as sent on its issue's
    day by `form`'s mode and reference, naming the issued document."""
    values = {"envoyee_le": fr_date(local(emission.emis_le).date()), "mode": form.get("mode", ""),
              "reference": form.get("reference", ""), "version": convocation_version(candidat)}
    record_convocation(user, candidat, values, today)
    Candidat.update(convocation_emission=emission.id).where(Candidat.id == candidat.id).execute()
