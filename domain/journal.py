"""The session's journal: every change to a session or an item, written in the change's transaction."""
from models import AuditEvent


def record(user, session, field, old, new, item=None):
    """An AuditEvent; `field` is a code of vocabulary.AUDIT_FIELD_LABELS or a header field's name."""
    return AuditEvent.create(user=user, session=session, item=item, item_version=item.version if item else None,
                             field=field, old_value="" if old is None else str(old),
                             new_value="" if new is None else str(new))
