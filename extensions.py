"""Flask extensions, created here and bound to the app in create_app()."""
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

htmx = HTMX()
csrf = CSRFProtect()
login_manager = LoginManager()


def is_partial():
    """True when the request wants a fragment: an htmx request that is neither boosted nor a history restore."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request
