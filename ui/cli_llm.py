"""``salescast llm status`` and ``salescast llm stop``: the embedded LLM server a home keeps warm between asks.

``salescast ask`` leaves the server running for ``SALESCAST_LLM_IDLE_S`` seconds (``agent.llm_shared``); these two
commands show it and stop it at once. Neither loads the model or the agent, so both answer in a moment.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console

llm_app = typer.Typer(help="The embedded LLM server kept warm between asks.", no_args_is_help=True)

out = Console()

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


@llm_app.command("status")
def status(as_json: JsonOpt = False) -> None:
    """Whether this home's embedded LLM server runs: pid, port, model, who uses it, idle timeout."""
    from agent.llm_shared import describe

    info = describe()
    if as_json:
        sys.stdout.write(json.dumps(info) + "\n")
        return
    if "pid" not in info:
        out.print(f"No embedded LLM server for {info['home']}.", highlight=False)
        return
    if not info["running"]:
        out.print(f"The recorded server (pid {info['pid']}) is gone; the next ask starts a new one.", highlight=False)
        return
    holders = ", ".join(map(str, info["holders"])) or "none"
    out.print(
        f"Running: {info['model_name']} on {info['pid']} at 127.0.0.1:{info['port']}, {info['threads']} threads, "
        f"up {info['uptime_s']:.0f} s; used by: {holders}; stops {info['idle_s']:.0f} s after its last user. "
        f"Log: {info['log']}",
        highlight=False,
        soft_wrap=True,
    )


@llm_app.command("stop")
def stop(as_json: JsonOpt = False) -> None:
    """Stop this home's embedded LLM server now, even while another process uses it."""
    from agent.llm_shared import stop_warm

    state = stop_warm()
    if as_json:
        sys.stdout.write(json.dumps({"stopped": state is not None, "pid": state.pid if state else None}) + "\n")
    elif state is None:
        out.print("No embedded LLM server was running.")
    else:
        out.print(f"Stopped the embedded LLM server (pid {state.pid}, port {state.port}).", highlight=False)
