"""A download button whose content function keeps its identity, so a click is never dropped.

`solara.FileDownload` forgets a pending click whenever its `data` argument changes identity
(`use_memo(reset, [data])`). A lambda made in the render is new on every render, and this page
re-renders several times a second while ensemble seeds arrive and charts draw in threads: a
click between two renders was forgotten and the browser never got the file (CI, 2 busy cores).
Here `data` is made once per button and calls the newest content function when the click lands.
FileDownload computes the content afresh on every click, so nothing stale is cached.
"""

from __future__ import annotations

from collections.abc import Callable

import solara


@solara.component
def Download(make: Callable[[], str | bytes], filename: str, label: str, mime_type: str) -> None:
    """A FileDownload of what `make()` returns at the time of the click."""
    latest = solara.use_ref(make)
    latest.current = make
    data = solara.use_memo(lambda: lambda: latest.current(), [])
    solara.FileDownload(data, filename=filename, label=label, mime_type=mime_type)
