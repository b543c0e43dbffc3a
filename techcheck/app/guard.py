"""Only the person who started the app gets in.

The server listens on 127.0.0.1 only. The address it prints or opens carries a random secret
token, exchanged at once for an HttpOnly, SameSite=Strict cookie. Every request must name this
server in its Host header (127.0.0.1 or localhost with our port: a page elsewhere that points a
name of its own at 127.0.0.1 — DNS rebinding — is refused). Every state-changing request needs the
form's CSRF token and an Origin header of this server.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

COOKIE = "techcheck_session"


@dataclass
class Guard:
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    sessions: dict[str, str] = field(default_factory=dict)  # session id -> CSRF token

    def allowed_hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    def allowed_origins(self) -> set[str]:
        return {f"http://{host}" for host in self.allowed_hosts()}

    def host_ok(self, host: str | None) -> bool:
        return (host or "").lower() in self.allowed_hosts()

    def origin_ok(self, origin: str | None) -> bool:
        return (origin or "") in self.allowed_origins()

    def token_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self.token)

    def new_session(self) -> str:
        session = secrets.token_urlsafe(32)
        self.sessions[session] = secrets.token_urlsafe(32)
        return session

    def session_ok(self, session: str | None) -> bool:
        return bool(session) and any(hmac.compare_digest(str(session), s) for s in self.sessions)

    def csrf_for(self, session: str) -> str:
        return self.sessions.get(session, "")

    def csrf_ok(self, session: str | None, token: str | None) -> bool:
        expected = self.sessions.get(session or "")
        return bool(expected and token) and hmac.compare_digest(str(token), str(expected))

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"
