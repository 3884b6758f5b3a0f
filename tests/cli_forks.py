"""`python -m abm ARGS` calls, each in its own process forked from one interpreter that imported abm once.

A fresh `python -m abm` spends about a second of CPU importing the model before it looks at its
arguments; the bad-input tests make a hundred such calls. Here one fresh interpreter (started
with the test's environment) imports the CLI once and forks a child per call: the child has its
own working folder, real file descriptors 1 and 2 (so C-level output is caught too) and its own
exit status, and runs `abm/__main__.py` as `python -m abm` does. Whatever the driver itself
prints to stderr (at import, or Python's warning about forking a threaded process) is reported
(`ForkedCalls.driver_stderr`), so output at import time still fails a test.
Where the platform cannot fork, each call is a fresh `python -m abm`.

    python tests/cli_forks.py CALLS.json   # [{"args": [...], "cwd": "...", "out": "...", "err": "..."}]
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRIVER = Path(__file__).resolve()
TIMEOUT_S = 600
NO_THREADS = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "JE_ARROW_MALLOC_CONF": "background_thread:false",
}


@dataclass(frozen=True)
class Call:
    """One finished CLI call: exit code, what it printed, and what it left in its working folder."""

    returncode: int
    stdout: str
    stderr: str
    wrote: list[str]


@dataclass(frozen=True)
class ForkedCalls:
    """The calls by key, and what the driver itself printed to stderr (importing the CLI, forking)."""

    calls: dict[str, Call]
    driver_stderr: str


def _exit_code(exc: SystemExit) -> int:
    """The status `python` exits with for a SystemExit (non-int codes are printed, status 1)."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def _child(args: list[str], cwd: str, out: str, err: str) -> None:
    """In the forked child: the call's folder and descriptors, then `python -m abm ARGS`; never returns."""
    import runpy
    import traceback

    code = 1
    try:
        os.chdir(cwd)
        for fd, name in ((1, out), (2, err)):
            target = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(target, fd)
            os.close(target)
        sys.argv = ["-m", *args]
        try:
            runpy.run_module("abm", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc)
        except BaseException:  # what the interpreter does with an uncaught exception
            traceback.print_exc()
            code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed stream must not change the status
                stream.flush()
        os._exit(code)


def _serve(calls_file: Path) -> None:
    """The driver: import the CLI once, then fork one child per call and wait for it."""
    sys.path[0] = ""  # as `python -m` has it: the working folder first, not this script's folder
    # No helper threads while importing (BLAS workers, jemalloc's background thread), so this
    # process has no thread to fork (Python warns: a lock a thread holds would deadlock the
    # child); the children see the caller's environment.
    saved = dict(os.environ)
    os.environ.update(NO_THREADS)
    import abm.cli  # noqa: F401 - the import every child shares
    import abm.runner  # noqa: F401
    import abm.sweeps  # noqa: F401

    os.environ.clear()
    os.environ.update(saved)

    calls = json.loads(calls_file.read_text())
    statuses = []
    for call in calls:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(call["args"], call["cwd"], call["out"], call["err"])
        _, status = os.waitpid(pid, 0)
        statuses.append(os.waitstatus_to_exitcode(status))
    calls_file.with_suffix(".codes.json").write_text(json.dumps(statuses))


def _listing(folder: Path) -> list[str]:
    """Every path below `folder`, relative and sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def fresh_call(
    args: list[str], workdir: Path, env: dict[str, str], timeout_s: float = TIMEOUT_S
) -> Call:
    """One call in a fresh `python -m abm` (the reference the forks match; platforms without fork)."""
    done = subprocess.run(
        [sys.executable, "-m", "abm", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=workdir,
        timeout=timeout_s,
    )
    return Call(done.returncode, done.stdout, done.stderr, _listing(workdir))


def run_calls(calls: dict[str, list[str]], base: Path, env: dict[str, str]) -> ForkedCalls:
    """Run each call (key -> CLI arguments) in its own empty folder under `base`; return every outcome.

    The capture files live beside each folder, not in it, so `wrote` lists only what the call wrote.
    """
    base.mkdir(parents=True, exist_ok=True)
    folders = {key: base / f"call{i}" for i, key in enumerate(calls)}
    for folder in folders.values():
        folder.mkdir()
    if not hasattr(os, "fork"):
        return ForkedCalls({k: fresh_call(a, folders[k], env) for k, a in calls.items()}, "")
    spec = [
        {
            "args": args,
            "cwd": str(folders[key]),
            "out": f"{folders[key]}.out",
            "err": f"{folders[key]}.err",
        }
        for key, args in calls.items()
    ]
    calls_file = base / "calls.json"
    calls_file.write_text(json.dumps(spec))
    driver = subprocess.run(
        [sys.executable, str(DRIVER), str(calls_file)],
        capture_output=True,
        text=True,
        env=env,
        cwd=base,
        timeout=TIMEOUT_S,
    )
    assert driver.returncode == 0, driver.stderr[-3000:]
    codes = json.loads(calls_file.with_suffix(".codes.json").read_text())
    outcomes = {
        key: Call(
            code,
            Path(f"{folders[key]}.out").read_text(),
            Path(f"{folders[key]}.err").read_text(),
            _listing(folders[key]),
        )
        for key, code in zip(calls, codes, strict=True)
    }
    return ForkedCalls(outcomes, driver.stderr)


if __name__ == "__main__":
    _serve(Path(sys.argv[1]))
