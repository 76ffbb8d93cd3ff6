"""A rich progress display that implements :class:`amer.pipeline.Progress`."""

from __future__ import annotations

from types import TracebackType

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from amer.cli.common import console_err


class RichProgress:
    """One progress bar per pipeline step, drawn on stderr."""

    def __init__(self) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console_err,
            transient=False,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._finish()
        self._progress.stop()

    def _finish(self) -> None:
        if self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(
                self._task, total=task.completed or 1, completed=task.completed or 1
            )

    def step(self, name: str, total: float | None = None) -> None:
        """Close the current bar and open one for ``name``."""
        self._finish()
        self._task = self._progress.add_task(name, total=total)

    def advance(self, amount: float = 1.0) -> None:
        """Advance the current bar."""
        if self._task is not None:
            self._progress.advance(self._task, amount)
