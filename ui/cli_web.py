"""``salescast serve``, ``salescast start`` and ``salescast users add|remove|list``: the commands around the web app.

Demo mode (the demo sign-ins are created, accepted and printed) is on by default only for a fresh install, where no
user other than the demo ones exists; ``--demo`` / ``--no-demo`` decide it by hand.

Gradio and the agent are imported inside the commands, so the rest of the command line stays quick to start.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from forecasting import paths
from forecasting.paths import model_dir
from forecasting.settings import settings
from forecasting.warehouse.build import build_warehouse, merchant_summary
from forecasting.warehouse.connect import known_merchants
from forecasting.warehouse.errors import WarehouseError
from ui.progress import train_with_progress
from ui.users import (
    DEMO_USERS,
    UserError,
    add_user,
    demo_mode,
    ensure_demo_users,
    load_users,
    remove_user,
    users_path,
    working_demo_users,
)

web_app = typer.Typer()
users_app = typer.Typer(help="Manage who can sign in to the web app.", no_args_is_help=True)
web_app.add_typer(users_app, name="users")

out = Console()
err = Console(stderr=True)

HostOpt = Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 to be reachable from other machines).")]
PortOpt = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]
LlmOpt = Annotated[
    str | None, typer.Option(help="Chat model: 'scripted' (deterministic, no LLM) or the agent's default when unset.")
]
DemoOpt = Annotated[
    bool | None,
    typer.Option(
        "--demo/--no-demo",
        help="Create, accept and show the demo sign-ins (oj / oj-demo, tuna / tuna-demo). "
        "Default: only when no other user exists.",
    ),
]


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


@web_app.command("serve")
def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 7860, llm: LlmOpt = None, demo: DemoOpt = None) -> None:
    """Start the web app (sign in with a user from `salescast users add`, or a demo user in demo mode)."""
    if not known_merchants():
        _fail("There is no warehouse yet: run `salescast data build` (or `salescast start`) first.")
    _serve(host, port, llm, _demo(demo))


def _demo(requested: bool | None) -> bool:
    """Resolve demo mode and, when on, create the missing demo sign-ins."""
    merchants = known_merchants()
    on = demo_mode(requested, merchants)
    if on:
        ensure_demo_users(merchants, force=requested is True)
    return on


def _serve(host: str, port: int, llm: str | None, demo: bool) -> None:
    from ui.web.server import ServerError, launch

    try:
        running = launch(host, port, llm=llm, demo=demo)
    except ServerError as exc:
        _fail(str(exc))
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    out.print(f"\n[bold green]salescast is running:[/] http://{shown}:{port}")
    _print_sign_ins(demo)
    out.print(f"Data and models: {paths.home()}. Stop with Ctrl+C.")
    try:
        running.block_thread()
    except KeyboardInterrupt:
        running.close()


def _print_sign_ins(demo: bool) -> None:
    if demo:
        out.print("Demo sign-ins: " + ", ".join(f"[bold]{u}[/] / {p}" for u, p in working_demo_users().items()))
        return
    users = load_users()
    out.print(f"Demo sign-ins are off; {len(users)} user(s) in {users_path()} can sign in.")
    if not users:
        err.print("[yellow]warning:[/] nobody can sign in yet: `salescast users add NAME --merchant MERCHANT`.")
    if stale := sorted(set(working_demo_users())):
        err.print(f"[yellow]note:[/] {', '.join(stale)} still have the demo password and are refused; "
                  "remove them with `salescast users remove NAME`.")  # fmt: skip


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="The sign-in name, e.g. alice.")],
    merchant: Annotated[str, typer.Option("--merchant", "-m", help="The merchant whose data this user sees.")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted for when omitted.")
    ],
) -> None:
    """Create a sign-in (or replace its password); it can only ever see its merchant's data."""
    known = known_merchants()
    if merchant not in known:
        _fail(f"Unknown merchant {merchant!r}; known: {', '.join(known) or 'none (run salescast data build)'}.")
    try:
        add_user(username, password, merchant)
    except UserError as exc:
        _fail(str(exc))
    out.print(f"User [bold]{username.strip().lower()}[/] can now sign in as merchant [bold]{merchant}[/].")


@users_app.command("remove")
def users_remove(username: Annotated[str, typer.Argument(help="The sign-in to delete, e.g. oj.")]) -> None:
    """Delete a sign-in (its open sessions end at once); e.g. the demo users of a real deployment."""
    try:
        remove_user(username)
    except UserError as exc:
        _fail(str(exc))
    out.print(f"User [bold]{username.strip().lower()}[/] can no longer sign in.")


@users_app.command("list")
def users_list() -> None:
    """Who can sign in, and as which merchant (passwords are never stored)."""
    users = load_users()
    for name, record in sorted(users.items()):
        out.print(f"{name}: merchant {record.merchant}", highlight=False)
    if not users:
        out.print(f"No users in {users_path()}.")


@web_app.command("start")
def start(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 7860,
    llm: LlmOpt = None,
    train: Annotated[bool, typer.Option(help="Train the demo merchants' models when missing.")] = True,
    serve_app: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the web app at the end.")] = True,
    demo: DemoOpt = None,
) -> None:
    """The main job: build the warehouse and train the models if missing, start the LLM and the web app."""
    from ui.render import merchants_table

    try:
        if not known_merchants():
            out.print("Building the demo warehouse ...")
            build_warehouse()
        out.print(merchants_table([merchant_summary(m) for m in known_merchants()]))
        demo_on = _demo(demo)
        if train:
            _train_missing()
    except WarehouseError as exc:
        _fail(str(exc))
    if serve_app:
        _warm_llm(llm)
        _serve(host, port, llm, demo_on)


def _train_missing() -> None:
    for merchant in DEMO_USERS:
        if merchant in known_merchants() and not (model_dir(merchant) / "meta.json").is_file():
            out.print(f"Training the forecasting model for {merchant} (once; it is saved for next time) ...")
            meta = train_with_progress(merchant)
            out.print(f"  {merchant}: validation MAPE {meta.validation.mape:.1f}% in {meta.train_seconds:.0f} s")


def _warm_llm(llm: str | None) -> None:
    """Start the embedded LLM now rather than on the first question; the app still starts if it cannot."""
    now = settings()
    if now.openai_base_url or (llm or now.llm or "") == "scripted":
        return
    try:
        from agent.llm_shared import ensure_local_llm

        with out.status("Starting the embedded language model ..."):
            ensure_local_llm()
    except Exception as exc:  # noqa: BLE001 - chat reports LLM trouble per question, with what to do
        err.print(f"[yellow]warning:[/] the embedded language model did not start ({exc}); chat will retry.")
