"""How the app is launched: one command line for `powerstack app`, the browser tests and screenshots."""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def solara_command(host: str, port: int, open_browser: bool = False) -> list[str]:
    """`python -m solara run viz/app.py` in production mode, bound to `host`, opening a browser only if asked."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--open" if open_browser else "--no-open",
    ]
