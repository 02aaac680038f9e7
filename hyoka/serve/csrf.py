"""Cross-site request forgery protection for the upload form: a signed double-submit token.

The form page sets a cookie ``hyoka_csrf`` (HttpOnly, SameSite=Strict) holding a token
``nonce.signature`` — the signature an HMAC-SHA256 of the nonce under a secret made when the
process starts — and puts the same token in a hidden field. ``POST /check`` from a form must send
both, equal and validly signed: another site can make a browser post a form here, but can neither
read nor set this site's cookie, so it cannot send a matching pair. A restart makes new tokens
(the page must be reloaded).

A script that asks for JSON (``Accept: application/json``) and sends no cookie at all is exempt:
such a request carries nothing a browser would add on its own, so it cannot be a forged request
from a visitor's browser; one that sends cookies is checked like a form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

COOKIE = "hyoka_csrf"
FIELD = "csrf"


class Csrf:
    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def new(self) -> str:
        """A fresh signed token."""
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._sign(nonce)}"

    def valid(self, token: str | None) -> bool:
        """``token`` was made by this process (its signature matches)."""
        if not token or token.count(".") != 1:
            return False
        nonce, sig = token.split(".")
        return hmac.compare_digest(sig, self._sign(nonce))

    def passes(self, cookie: str | None, field: str | None) -> bool:
        """The double submit holds: the cookie and the form field are one valid token."""
        return bool(cookie and field) and hmac.compare_digest(str(cookie), str(field)) and self.valid(cookie)

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode("utf-8"), hashlib.sha256).hexdigest()
