"""Replace one benchmark script's section of a Markdown file, leaving the others alone.

Each script owns the text between its ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``
markers; a file without them gets the section appended.
"""

from __future__ import annotations

from pathlib import Path


def markers(name: str) -> tuple[str, str]:
    """The begin and end markers of the section called ``name``."""
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def write_section(path: Path, section: str, *, name: str) -> None:
    """Put ``section`` (which starts and ends with its markers) into ``path``."""
    begin, end = markers(name)
    text = path.read_text("utf-8") if path.is_file() else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
