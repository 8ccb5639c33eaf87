"""Training with a progress bar on stderr: shared by ``salescast train`` and ``salescast start``.

Its own module so the web commands can use it without importing the whole command line (which imports them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress, TextColumn

from forecasting.models import DEFAULT_MODEL

if TYPE_CHECKING:  # torch loads when training starts, not with every command
    from forecasting.models.saved import ModelMeta

err = Console(stderr=True)


def train_with_progress(merchant: str, device: str = "auto", model: str = DEFAULT_MODEL) -> ModelMeta:
    from forecasting.train import train_merchant

    with Progress(*Progress.get_default_columns(), TextColumn("{task.fields[loss]}"), console=err) as bar:
        task = bar.add_task(f"training {merchant}", total=None, loss="")

        def tick(epoch: int, total: int, val_loss: float) -> None:
            bar.update(task, total=total, completed=epoch, loss=f"val loss {val_loss:.4f}")

        return train_merchant(merchant, model=model, device=device, progress=tick)
