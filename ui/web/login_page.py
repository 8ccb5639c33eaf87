"""The sign-in page: a plain HTML form (no script), with the reason when a sign-in was refused.

Demo sign-ins are printed only when the app serves in demo mode; everything shown is HTML-escaped.
"""

from __future__ import annotations

from html import escape

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>salescast · sign in</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f6f7f9; display: flex; justify-content: center; }}
main {{ margin-top: 12vh; background: #fff; padding: 2em 2.5em; border-radius: 10px; width: 22em;
       box-shadow: 0 1px 4px rgba(0,0,0,.12); }}
label {{ display: block; margin-top: 1em; font-size: .9em; }}
input {{ width: 100%; box-sizing: border-box; padding: .5em; margin-top: .3em; font-size: 1em; }}
button {{ margin-top: 1.5em; width: 100%; padding: .6em; font-size: 1em; background: #f97316; color: #fff;
         border: 0; border-radius: 6px; cursor: pointer; }}
#message {{ color: #b91c1c; margin-top: 1em; }}
.hint {{ color: #555; font-size: .9em; }}
</style></head>
<body><main>
<h2>salescast</h2>
<p class="hint">{hint}</p>
<form method="post" action="login">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autofocus required value="{username}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
{message}
<button type="submit">Sign in</button>
</form>
</main></body></html>
"""


def hint_text(demo_users: dict[str, str]) -> str:
    if not demo_users:
        return "Sign in with your salescast account."
    pairs = " or ".join(f"<b>{escape(u)}</b> / <b>{escape(p)}</b>" for u, p in demo_users.items())
    return f"Sign in with your salescast account. Demo: {pairs}."


def login_page(demo_users: dict[str, str], message: str = "", username: str = "") -> str:
    shown = f'<p id="message" role="alert">{escape(message)}</p>' if message else ""
    return _PAGE.format(hint=hint_text(demo_users), message=shown, username=escape(username))
