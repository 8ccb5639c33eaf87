"""``/login`` and ``/logout``: sign-in that is throttled, hashes passwords off the event loop, and knows demo mode.

Gradio's own ``/login`` calls a sync ``auth`` function directly on its event loop, so every scrypt check (~50 ms)
stalled all other requests, and it cannot tell the caller to wait. This route runs the check in a small thread pool
of its own (``HASH_THREADS``, so a flood of sign-ins cannot take the threads chat turns need), refuses early while an
account or address is throttled ("try again in N s"), and outside demo mode refuses the published demo passwords.

Browsers get the HTML page back (a redirect to the app on success); API clients such as ``gradio_client`` get JSON
and the same cookie.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import anyio
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ui.users import is_demo_password, verify
from ui.web.login_page import login_page
from ui.web.sessions import COOKIE, Sessions
from ui.web.throttle import Throttle

HASH_THREADS = max(1, (os.cpu_count() or 2) // 2)  # the other half of the cores stays free for the app
WRONG = "Incorrect username or password."
DEMO_OFF = (
    "The demo sign-ins are turned off on this server. Ask whoever runs it for an account "
    "(`salescast users add NAME --merchant MERCHANT`)."
)


def too_many(wait_s: float) -> str:
    return f"Too many sign-in attempts; try again in {math.ceil(wait_s)} s."


@dataclass
class SignIn:
    sessions: Sessions
    demo_users: dict[str, str]  # shown on the page; empty outside demo mode
    demo: bool
    throttle: Throttle

    def __post_init__(self) -> None:
        self._hashes = anyio.CapacityLimiter(HASH_THREADS)

    async def attempt(self, username: str, password: str, address: str) -> tuple[int, str]:
        """(200, session token) or (status, the reason to show)."""
        keys = [("user", username), ("address", address)]
        async with self.throttle.turn(keys):
            wait = self.throttle.wait_s(keys)
            if wait > 0:
                return 429, too_many(wait)
            ok = await anyio.to_thread.run_sync(verify, username, password, limiter=self._hashes)
            if ok and not self.demo and is_demo_password(username, password):
                return 403, DEMO_OFF
            if not ok:
                self.throttle.failed(keys)
                wait = self.throttle.wait_s(keys)
                return (429, f"{WRONG} {too_many(wait)}") if wait > 0 else (400, WRONG)
            self.throttle.succeeded(keys[0])
            return 200, self.sessions.open(username)


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _signed_in(response: Response, request: Request, token: str) -> Response:
    secure = request.url.scheme == "https"
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/")
    return response


def signin_router(signin: SignIn) -> APIRouter:
    router = APIRouter()

    @router.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request) -> Response:
        if signin.sessions.user_of(request):
            return RedirectResponse("./", status_code=303)
        return HTMLResponse(login_page(signin.demo_users))

    @router.post("/login", include_in_schema=False)
    async def login(request: Request, username: str = Form(""), password: str = Form("")) -> Response:
        name = username.strip().lower()
        address = request.client.host if request.client else "unknown"
        status, text = await signin.attempt(name, password, address)
        html = _wants_html(request)
        if status == 200:
            reply = RedirectResponse("./", status_code=303) if html else JSONResponse({"success": True})
            return _signed_in(reply, request, text)
        if html:
            return HTMLResponse(login_page(signin.demo_users, text, name), status_code=status)
        return JSONResponse({"detail": text}, status_code=status)

    @router.get("/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        user = signin.sessions.user_of(request)
        if user:
            signin.sessions.close_user(user)
        reply = RedirectResponse("login", status_code=303)
        reply.delete_cookie(COOKIE, path="/")
        return reply

    return router
