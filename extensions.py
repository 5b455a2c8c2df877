"""Flask extensions, created here and bound to the app in create_app()."""
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

htmx = HTMX()
csrf = CSRFProtect()
login_manager = LoginManager()
# Storage from RATELIMIT_STORAGE_URI: memory:// for one process, redis:// or memcached:// for several.
limiter = Limiter(get_remote_address)


def is_partial():
    """True when the request wants a fragment: an htmx request that is neither boosted nor a history restore."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request
