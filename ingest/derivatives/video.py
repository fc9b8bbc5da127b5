"""H.264/AAC MP4 for the web player and a poster frame, from one ffmpeg run.

The first real video stream (not cover art) is scaled to at most ``max_height`` lines with square pixels and even
dimensions (never upscaled), then split: one branch is encoded to a fast-start MP4 with the first audio stream (if
any), the other is trimmed to the frame a tenth of the way in and written as the poster.
"""
from __future__ import annotations

from pathlib import Path

import ffmpeg

from . import DerivativeError, probe, run_ffmpeg, write_summary

VIDEO_OPTIONS = {"vcodec": "libx264", "preset": "veryfast", "crf": 23, "pix_fmt": "yuv420p", "movflags": "+faststart"}
AUDIO_OPTIONS = {"acodec": "aac", "audio_bitrate": "128k"}
POSTER_AT = 0.1  # fraction of the duration


def build(src: Path, out_dir: Path, *, max_height: int = 720) -> dict:
    info = probe(src)
    streams = info.get("streams", [])
    picture = next((s for s in streams if s.get("codec_type") == "video"
                    and not s.get("disposition", {}).get("attached_pic")), None)
    if picture is None:
        raise DerivativeError(src, "has no video stream")
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    duration = _duration(info, picture)

    source = ffmpeg.input(str(src.resolve()))
    height = f"trunc(min(ih,{max_height})/2)*2"
    scaled = (source[str(picture["index"])].filter("scale", w=f"trunc({height}*dar/2)*2", h=height)
              .filter("setsar", 1).filter_multi_output("split"))
    mp4 = ffmpeg.output(scaled[0], *([source["a:0"]] if has_audio else []), str(out_dir / "video.mp4"),
                        **VIDEO_OPTIONS, **(AUDIO_OPTIONS if has_audio else {}))
    poster = (scaled[1].trim(start=round(duration * POSTER_AT, 3)).setpts("PTS-STARTPTS").trim(end_frame=1)
              .output(str(out_dir / "poster.jpg"), vframes=1, **{"q:v": 3}))
    run_ffmpeg(src, ffmpeg.merge_outputs(mp4, poster))
    if not (out_dir / "poster.jpg").is_file():
        raise DerivativeError(src, f"no frame could be decoded for the poster at {duration * POSTER_AT:.2f} s")

    made = probe(out_dir / "video.mp4")
    video = next(s for s in made["streams"] if s["codec_type"] == "video")
    return write_summary(out_dir, "video", {
        "duration": round(float(made["format"]["duration"]), 3), "width": video["width"], "height": video["height"],
        "format": "video/mp4", "path": "video.mp4", "poster": "poster.jpg"})


def _duration(info: dict, stream: dict) -> float:
    for value in (info.get("format", {}).get("duration"), stream.get("duration")):
        if value not in (None, "N/A"):
            return float(value)
    return 0.0
