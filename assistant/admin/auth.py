"""Who may use the admin area: scripts with the Bearer token, people with a signed sign-in cookie.

- `Authorization: Bearer <PLAN_ASSISTANT_ADMIN_TOKEN>`, as before, for scripts and cron jobs.
- POST /api/admin/login with the token or the admin password (admin_password_hash, scrypt) sets a
  cookie that itsdangerous signs and dates: HttpOnly (page scripts cannot read it), SameSite=Strict
  (other sites' pages never send it), Secure on https, valid admin_session_hours.

`require_admin` accepts either: 401 without credentials (or with an expired sign-in), 403 with a
wrong token or a cookie this server did not sign, 503 admin_not_configured when neither a token nor
a password hash is set. A change (POST, PUT, PATCH, DELETE) sent with the cookie must also come from
this server's own page (its Origin, or Sec-Fetch-Site: same-origin), since a browser attaches the
cookie whoever's page sends the request; a Bearer token is never attached by a browser.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from pydantic import BaseModel, Field

from assistant.admin.passwords import verify_password
from assistant.errors import (
    AdminNotConfigured,
    AdminOriginRejected,
    AdminSignInFailed,
    AdminTokenMissing,
    AdminTokenRejected,
)
from assistant.http_errors import require_json
from assistant.schemas import ErrorReply
from assistant.settings import Settings
from assistant.web import own_page

COOKIE = "plan_assistant_admin"
COOKIE_PATH = "/api/admin"  # sent with the admin API's requests only
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_bearer = HTTPBearer(auto_error=False)  # its own 403 would not be on our error shape


@dataclass
class AdminAuth:
    """The configured credentials, and the signer of sign-in cookies."""

    token: str | None
    password_hash: str | None
    session_seconds: int
    signer: URLSafeTimedSerializer | None
    own_hosts: set[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> AdminAuth:
        token = settings.admin_token.get_secret_value() if settings.admin_token else None
        password_hash = settings.admin_password_hash.get_secret_value() if settings.admin_password_hash else None
        signer = None
        if token or password_hash:
            if settings.admin_session_secret:
                key = settings.admin_session_secret.get_secret_value()
            else:  # derived from the credentials: changing them signs everyone out
                key = hashlib.sha256(f"plan-assistant admin session\0{token}\0{password_hash}".encode()).hexdigest()
            signer = URLSafeTimedSerializer(key, salt="admin-session")
        hosts = {host.lower() for host in settings.allowed_hosts if "*" not in host}
        return cls(token, password_hash, int(settings.admin_session_hours * 3600), signer, hosts)

    def configured(self) -> URLSafeTimedSerializer:
        if self.signer is None:
            raise AdminNotConfigured(
                "the admin area is off: set PLAN_ASSISTANT_ADMIN_TOKEN or PLAN_ASSISTANT_ADMIN_PASSWORD_HASH "
                "on the server"
            )
        return self.signer

    def token_matches(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def accepts(self, secret: str) -> bool:
        """The sign-in form's check: the token, or the password (scrypt: about 0.1 s, run off the loop)."""
        if self.token_matches(secret):
            return True
        return self.password_hash is not None and verify_password(secret, self.password_hash)

    def check_cookie(self, value: str) -> datetime:
        """When the sign-in expires; 401 once it has, 403 for a cookie this server did not sign."""
        try:
            _, signed_at = self.configured().loads(value, max_age=self.session_seconds, return_timestamp=True)
            return signed_at + timedelta(seconds=self.session_seconds)
        except SignatureExpired as error:
            raise AdminTokenMissing("your sign-in has expired: sign in again") from error
        except BadSignature as error:
            raise AdminTokenRejected("this sign-in was not made by this server: sign in again") from error

    def check_origin(self, request: Request) -> None:
        """A change carried by the cookie must come from this server's own page."""
        origin = request.headers.get("origin")
        if origin is not None:
            if own_page(origin, request.headers.get("host", ""), self.own_hosts):
                return
        elif request.headers.get("sec-fetch-site") == "same-origin":
            return
        raise AdminOriginRejected("admin changes are accepted only from this server's own admin page")


def require_admin(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    """Let the request through with the admin token or a valid sign-in cookie; returns which."""
    auth: AdminAuth = request.app.state.admin_auth
    auth.configured()
    if credentials is not None:
        if not auth.token_matches(credentials.credentials):
            raise AdminTokenRejected("the admin token is not the one this server was given")
        return "token"
    cookie = request.cookies.get(COOKIE)
    if cookie is None:
        raise AdminTokenMissing("sign in at /admin, or send the admin token as 'Authorization: Bearer <token>'")
    auth.check_cookie(cookie)
    if request.method not in SAFE_METHODS:
        auth.check_origin(request)
    return "cookie"


class SignIn(BaseModel):
    password: str = Field(min_length=1, max_length=1000, description="The admin password, or the admin token.")


class Session(BaseModel):
    signed_in: bool
    via: str = Field(default="", description='"cookie" (signed in at /admin) or "token" (Bearer).')
    expires: datetime | None = None


AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorReply} for status in (401, 403, 415, 422, 429, 503)
}


def auth_router() -> APIRouter:
    """POST /api/admin/login, POST /api/admin/logout, GET /api/admin/session."""
    router = APIRouter(prefix="/api/admin", responses=AUTH_ERRORS)

    @router.post("/login", response_model=Session, dependencies=[Depends(require_json)])
    async def login(request: Request, body: SignIn, response: Response) -> Session:
        """Sign in with the admin password (or token): sets the sign-in cookie. 401 `sign_in_failed`
        for a wrong one; at most PLAN_ASSISTANT_RATE_LIMIT_LOGIN attempts per address (429)."""
        auth: AdminAuth = request.app.state.admin_auth
        signer = auth.configured()
        if request.headers.get("origin") is not None:
            auth.check_origin(request)  # no other site's page may sign a browser in (login CSRF)
        if not await run_in_threadpool(auth.accepts, body.password):
            raise AdminSignInFailed("that password is not right")
        response.set_cookie(
            COOKIE,
            signer.dumps({"signed_in": True}),
            max_age=auth.session_seconds,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return Session(
            signed_in=True, via="cookie", expires=datetime.now(UTC) + timedelta(seconds=auth.session_seconds)
        )

    @router.post("/logout", response_model=Session)
    async def logout(request: Request, response: Response, via: Annotated[str, Depends(require_admin)]) -> Session:
        """Sign out: the sign-in cookie is removed."""
        response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
        return Session(signed_in=False)

    @router.get("/session", response_model=Session)
    async def session(request: Request, via: Annotated[str, Depends(require_admin)]) -> Session:
        """Whether this request is signed in, and how (the admin page asks before it shows anything)."""
        if via == "token":
            return Session(signed_in=True, via=via)
        auth: AdminAuth = request.app.state.admin_auth
        return Session(signed_in=True, via=via, expires=auth.check_cookie(request.cookies[COOKIE]))

    return router
