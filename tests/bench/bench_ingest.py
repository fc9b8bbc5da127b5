"""Benchmark of the ingest derivatives against the bare tools making the same files, measured in the same run.

    python -m tests.bench.bench_ingest [--repeat 3]

Generates a 24-megapixel JPEG (6000×4000, noisy test pattern), a 60 s stereo WAV and a 30 s 1080p video, then
times (best of --repeat, in-process as the ingest workers run them):
- our image pyramid + thumbnails vs ``vips dzsave --layout iiif3 --tile-size 512`` at the same JPEG quality
  (target ≤ 1.2), and vs dzsave plus ``vipsthumbnail`` for the four thumbnails;
- our audio and video derivatives vs the bare ffmpeg command writing the same files (target ≤ 1.1).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from ingest import derivatives
from ingest.derivatives import audio, video

QUALITY = 85


def ffmpeg(*args: str | Path) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", *map(str, args)], check=True)


def make_sources(root: Path) -> tuple[Path, Path, Path]:
    jpeg, wav, mp4 = root / "photo.jpg", root / "recording.wav", root / "festival.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=6000x4000:rate=1,noise=alls=25:allf=t", "-frames:v", "1",
           "-q:v", "3", jpeg)
    ffmpeg("-f", "lavfi", "-i", "anoisesrc=duration=60:color=pink:sample_rate=48000:amplitude=0.3",
           "-f", "lavfi", "-i", "sine=frequency=220:duration=60:sample_rate=48000",
           "-filter_complex", "[0][1]amix=inputs=2,aformat=channel_layouts=stereo", wav)
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=30",
           "-f", "lavfi", "-i", "sine=frequency=330:duration=30:sample_rate=48000",
           "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac", mp4)
    return jpeg, wav, mp4


def best_of(repeat: int, root: Path, *runs) -> list[float]:
    """Fastest of ``repeat`` runs of each ``run(out_dir)`` (each into a fresh empty directory).

    The runs take turns, so a change in the machine's load during the measurement hits them alike.
    """
    times = [[] for _ in runs]
    for _ in range(repeat):
        for run, timings in zip(runs, times):
            out = Path(tempfile.mkdtemp(dir=root))
            start = time.perf_counter()
            run(out)
            timings.append(time.perf_counter() - start)
            shutil.rmtree(out)
    return [min(t) for t in times]


def run_cmd(*args: str | Path) -> None:
    subprocess.run(list(map(str, args)), check=True, stdin=subprocess.DEVNULL)


def vips_pyramid(src: Path, out: Path) -> None:
    run_cmd("vips", "dzsave", src, out / "tiles", "--layout", "iiif3", "--tile-size", "512",
            "--suffix", f".jpg[Q={QUALITY}]")


def vips_thumbs(src: Path, out: Path) -> None:
    for width in (200, 400, 800, 1600):
        run_cmd("vipsthumbnail", src, "--size", str(width), "-o", str(out / f"{width}.jpg[Q={QUALITY}]"))


def bare_audio(src: Path, out: Path) -> None:
    run_cmd("ffmpeg", "-nostdin", "-v", "error", "-i", src,
            "-map", "0:a:0", "-acodec", "libmp3lame", "-q:a", "4", "-ar", "44100", out / "audio.mp3",
            "-map", "0:a:0", "-f", "u8", "-acodec", "pcm_u8", "-ac", "1", "-ar",
            str(audio.PEAKS_SAMPLE_RATE), out / "peaks.pcm")


def bare_video(src: Path, out: Path, poster_at: float) -> None:
    o = video.VIDEO_OPTIONS
    run_cmd("ffmpeg", "-nostdin", "-v", "error", "-i", src, "-filter_complex",
            "[0:v:0]scale=w=trunc(trunc(min(ih\\,720)/2)*2*dar/2)*2:h=trunc(min(ih\\,720)/2)*2,setsar=1,split[v][p];"
            f"[p]trim=start={poster_at},setpts=PTS-STARTPTS,trim=end_frame=1[poster]",
            "-map", "[v]", "-map", "0:a:0", "-c:v", o["vcodec"], "-preset", o["preset"], "-crf", str(o["crf"]),
            "-pix_fmt", o["pix_fmt"], "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", out / "video.mp4",
            "-map", "[poster]", "-frames:v", "1", "-q:v", "3", out / "poster.jpg")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts")
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        root = Path(tmp)
        print("generating sources…", flush=True)
        jpeg, wav, mp4 = make_sources(root)

        ours, dzsave, thumbs = best_of(repeat, root,
                                       lambda out: derivatives.build("image", jpeg, out, max_pixels=10**9),
                                       lambda out: vips_pyramid(jpeg, out), lambda out: vips_thumbs(jpeg, out))
        print(f"image 6000×4000 JPEG ({jpeg.stat().st_size / 1e6:.1f} MB): ours {ours:.2f} s, "
              f"vips dzsave {dzsave:.2f} s → ratio {ours / dzsave:.2f} (target ≤ 1.2); "
              f"dzsave + vipsthumbnail ×4 {dzsave + thumbs:.2f} s → ratio {ours / (dzsave + thumbs):.2f}")

        ours, bare = best_of(repeat, root, lambda out: derivatives.build("audio", wav, out),
                             lambda out: bare_audio(wav, out))
        print(f"audio 60 s WAV: ours {ours:.2f} s, bare ffmpeg {bare:.2f} s → ratio {ours / bare:.2f} (target ≤ 1.1)")

        ours, bare = best_of(repeat, root, lambda out: derivatives.build("video", mp4, out),
                             lambda out: bare_video(mp4, out, poster_at=3.0))
        print(f"video 30 s 1080p: ours {ours:.2f} s, bare ffmpeg {bare:.2f} s → ratio {ours / bare:.2f} "
              f"(target ≤ 1.1)")

if __name__ == "__main__":
    main()
