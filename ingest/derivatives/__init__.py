"""Web derivatives of stored originals: image tile pyramids and thumbnails, MP3 audio with peaks, H.264 video.

Each builder writes into an empty work directory (the caller renames it into place) and writes its summary,
``<kind>.json``, last: a directory holding that file is complete.
"""
from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import tempfile
from pathlib import Path
from typing import IO, Callable, TypeVar

import ffmpeg

from archive.processes import child_of_this_process

KINDS = ("image", "audio", "video")
T = TypeVar("T")


class DerivativeError(Exception):
    """A derivative could not be made from ``path``; ``reason`` says why (the decoder's own words)."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


def write_summary(out_dir: Path, kind: str, summary: dict) -> dict:
    (out_dir / f"{kind}.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def build(kind: str, src: Path | str, out_dir: Path | str, **limits) -> dict:
    """Build the derivatives of ``kind`` for ``src`` in ``out_dir``; returns the summary written as <kind>.json.

    ``limits`` may hold options for every kind (e.g. ``max_pixels``); each builder gets only those it takes.
    """
    if kind not in KINDS:
        raise ValueError(f"no derivatives for kind {kind!r} (expected one of {', '.join(KINDS)})")
    builder = importlib.import_module(f"{__name__}.{kind}").build
    accepted = inspect.signature(builder).parameters
    return builder(Path(src), Path(out_dir), **{k: v for k, v in limits.items() if k in accepted})


def ffprobe(src: Path) -> dict:
    """What ``ffmpeg.probe`` returns (format and streams), from an ffprobe that dies with this process; raises
    ffmpeg.Error as it does."""
    proc = subprocess.run(["ffprobe", "-show_format", "-show_streams", "-of", "json", "-v", "error", str(src)],
                          stdin=subprocess.DEVNULL, capture_output=True, preexec_fn=child_of_this_process())
    if proc.returncode != 0:
        raise ffmpeg.Error("ffprobe", proc.stdout, proc.stderr)
    return json.loads(proc.stdout)


def probe(src: Path) -> dict:
    """ffprobe's description of ``src`` (format and streams)."""
    try:
        return ffprobe(src)
    except ffmpeg.Error as exc:
        raise DerivativeError(src, "ffprobe cannot read it: " + (_tail(exc.stderr) or "no reason given")) from exc


def run_ffmpeg(src: Path, spec, read_stdout: Callable[[IO[bytes]], T] | None = None) -> T | None:
    """Run the ffmpeg-python graph ``spec``; ``read_stdout`` consumes the piped output while ffmpeg runs.

    ffmpeg's error output goes to a temporary file (nothing to drain, no pipe deadlock); its last lines become
    the DerivativeError's reason.
    """
    args = ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", *spec.get_args()]
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stderr=stderr, preexec_fn=child_of_this_process(),
                                stdout=subprocess.PIPE if read_stdout else subprocess.DEVNULL)
        try:
            result = read_stdout(proc.stdout) if read_stdout else None
        except BaseException:
            proc.kill()
            raise
        finally:
            if proc.stdout:
                proc.stdout.close()
            proc.wait()
        if proc.returncode != 0:
            stderr.seek(max(0, stderr.seek(0, 2) - 4096))  # the end of what ffmpeg said
            raise DerivativeError(src, "ffmpeg failed: " + (_tail(stderr.read()) or f"exit status {proc.returncode}"))
    return result


def _tail(stderr: bytes | None, lines: int = 3) -> str:
    return "; ".join([line.strip() for line in (stderr or b"").decode(errors="replace").splitlines()
                      if line.strip()][-lines:])
