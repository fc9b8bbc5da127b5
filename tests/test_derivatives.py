"""Derivative builders on real files: Pillow-made images, ffmpeg-made audio and video, real ffmpeg runs."""
from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import ffmpeg
import pytest
from PIL import ExifTags, Image, ImageFile

from ingest import derivatives
from ingest.derivatives import DerivativeError
from tests.media import corrupt, make_jpeg, make_mp4, make_wav, truncate

BIG = 10**9  # max_pixels that nothing here reaches


# ---------------------------------------------------------------- images

@pytest.fixture(scope="module")
def odd_jpeg(tmp_path_factory) -> Path:
    return make_jpeg(tmp_path_factory.mktemp("img") / "odd.jpg", size=(1537, 1025), seed=3)


def _image(src: Path, out: Path, **kw) -> dict:
    out.mkdir()
    return derivatives.build("image", src, out, **{"max_pixels": BIG, **kw})


def test_pyramid_matches_image_json_for_odd_sizes(odd_jpeg, tmp_path):
    out = tmp_path / "d"
    summary = _image(odd_jpeg, out)
    assert json.loads((out / "image.json").read_text()) == summary
    W, H = 1537, 1025
    assert (summary["width"], summary["height"], summary["tile_size"], summary["format"]) == (W, H, 512, "jpg")
    assert [lvl["scale"] for lvl in summary["levels"]] == [1, 2, 4]
    for lvl in summary["levels"]:
        s = lvl["scale"]
        assert (lvl["width"], lvl["height"]) == (math.ceil(W / s), math.ceil(H / s))
        assert (lvl["columns"], lvl["rows"]) == (math.ceil(W / (512 * s)), math.ceil(H / (512 * s)))
        expected = {}
        for c in range(lvl["columns"]):
            for r in range(lvl["rows"]):
                x, y = c * 512 * s, r * 512 * s
                w, h = min(512 * s, W - x), min(512 * s, H - y)
                expected[f"{c}_{r}.jpg"] = (math.ceil(w / s), math.ceil(h / s))
        tiles = out / "tiles" / str(s)
        assert {p.name for p in tiles.iterdir()} == set(expected)
        for name, size in expected.items():
            with Image.open(tiles / name) as tile:
                assert (tile.format, tile.size) == ("JPEG", size), name
    assert (summary["levels"][-1]["columns"], summary["levels"][-1]["rows"]) == (1, 1)
    assert {p.name for p in (out / "tiles").iterdir()} == {"1", "2", "4"}


def test_thumbnails_for_widths_below_the_image_width(odd_jpeg, tmp_path):
    out = tmp_path / "d"
    summary = _image(odd_jpeg, out)
    assert summary["thumbnails"] == [{"width": w, "height": round(1025 * w / 1537), "path": f"thumbs/{w}.jpg"}
                                     for w in (200, 400, 800)]
    assert sorted(p.name for p in (out / "thumbs").iterdir()) == ["200.jpg", "400.jpg", "800.jpg"]
    for t in summary["thumbnails"]:
        with Image.open(out / t["path"]) as im:
            assert im.size == (t["width"], t["height"])


def test_one_decode_each_level_halves_the_previous_thumbs_from_nearest_level(odd_jpeg, tmp_path, monkeypatch):
    decodes, reduced, resized = [], [], []
    real_load, real_reduce, real_resize = ImageFile.ImageFile.load, Image.Image.reduce, Image.Image.resize

    def load(self):
        if self.tile:  # still encoded: this call decodes
            decodes.append(self.size)
        return real_load(self)

    def reduce(self, factor, box=None):
        reduced.append((self.size, factor))
        return real_reduce(self, factor, box)

    def resize(self, size, *args, **kwargs):
        resized.append((self.size, size[0]))
        return real_resize(self, size, *args, **kwargs)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    monkeypatch.setattr(Image.Image, "reduce", reduce)
    monkeypatch.setattr(Image.Image, "resize", resize)
    _image(odd_jpeg, tmp_path / "d")
    assert decodes == [(1537, 1025)]
    assert reduced == [((1537, 1025), 2), ((769, 513), 2)]
    assert sorted(resized) == [((385, 257), 200), ((769, 513), 400), ((1537, 1025), 800)]


def test_exif_orientation_is_applied(tmp_path):
    src = tmp_path / "rotated.jpg"
    im = Image.new("RGB", (600, 400), "white")
    im.paste((255, 0, 0), (0, 0, 100, 100))  # red in the stored top-left corner
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # display rotated 90° clockwise: the corner shows top-right
    im.save(src, quality=95, exif=exif)
    summary = _image(src, tmp_path / "d")
    assert (summary["width"], summary["height"]) == (400, 600)
    with Image.open(tmp_path / "d" / "tiles" / "1" / "0_0.jpg") as tile:
        assert tile.size == (400, 512)
        r, g, b = tile.getpixel((350, 50))
        assert r > 200 and g < 60 and b < 60
        assert min(tile.getpixel((50, 50))) > 200


@pytest.mark.parametrize("mode, ext, probe_xy, expected", [
    ("RGBA", "png", (5, 5), (255, 255, 255)),  # fully transparent: flattened onto white
    ("P", "png", (5, 5), (255, 255, 255)),     # transparent palette entry
    ("LA", "png", (5, 5), (255, 255, 255)),
    ("CMYK", "jpg", (60, 60), (0, 0, 255)),
    ("I;16", "png", (60, 60), 128),            # 16-bit grey scaled, not clipped
])
def test_modes_become_jpeg_ready(tmp_path, mode, ext, probe_xy, expected):
    src = tmp_path / f"img.{ext}"
    if mode == "I;16":
        im = Image.new("I;16", (120, 120), 32896)
    elif mode == "CMYK":
        im = Image.new("CMYK", (120, 120), (255, 255, 0, 0))
    else:
        im = Image.new("RGBA", (120, 120), (0, 0, 255, 255))
        im.paste((0, 0, 0, 0), (0, 0, 20, 20))
        im = im.convert(mode) if mode == "LA" else im
        if mode == "P":
            im = im.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
            im.info["transparency"] = im.getpixel((0, 0))
    im.save(src)
    _image(src, tmp_path / "d")
    with Image.open(tmp_path / "d" / "tiles" / "1" / "0_0.jpg") as tile:
        assert tile.mode in ("RGB", "L")
        got = tile.getpixel(probe_xy)
        if isinstance(expected, int):
            assert tile.mode == "L" and abs(got - expected) <= 2
        else:
            assert all(abs(a - b) <= 12 for a, b in zip(got, expected)), got


def test_max_pixels_refused_before_decoding(odd_jpeg, tmp_path, monkeypatch):
    decodes = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decodes.append(self) or real_load(self))
    (tmp_path / "d").mkdir()
    with pytest.raises(DerivativeError) as err:
        derivatives.build("image", odd_jpeg, tmp_path / "d", max_pixels=1537 * 1025 - 1)
    assert err.value.path == odd_jpeg
    assert "1537×1025" in err.value.reason and "over the limit" in err.value.reason
    assert decodes == []
    assert list((tmp_path / "d").iterdir()) == []


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_corrupt_image_raises_naming_the_file(odd_jpeg, tmp_path, damage):
    src = tmp_path / f"{damage}.jpg"
    if damage == "truncated":
        truncate(odd_jpeg, src, keep=0.4)
    else:
        src.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    with pytest.raises(DerivativeError) as err:
        _image(src, tmp_path / "d")
    assert err.value.path == src and str(src) in str(err.value)
    assert err.value.reason.startswith("image does not decode: ")


def test_dispatch_refuses_unknown_kinds(tmp_path):
    with pytest.raises(ValueError, match="document"):
        derivatives.build("document", tmp_path / "x.pdf", tmp_path)


# ---------------------------------------------------------------- audio

def _ffprobe(path: Path) -> dict:
    return ffmpeg.probe(str(path))


def _decoded_seconds(path: Path, rate: int = 44100) -> float:
    pcm = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar",
                          str(rate), "-"], capture_output=True, check=True).stdout
    return len(pcm) / 2 / rate


@pytest.fixture(scope="module")
def sine_wav(tmp_path_factory) -> Path:
    return make_wav(tmp_path_factory.mktemp("aud") / "sine.wav", seconds=2.0)


def test_audio_mp3_and_summary(sine_wav, tmp_path):
    summary = derivatives.build("audio", sine_wav, tmp_path, max_pixels=BIG)
    assert summary == {"duration": pytest.approx(2.0, abs=0.01), "format": "audio/mpeg", "path": "audio.mp3",
                       "peaks": "peaks.json", "waveform": "waveform.png", "waveform_width": 800,
                       "waveform_height": 200}
    assert json.loads((tmp_path / "audio.json").read_text()) == summary
    with Image.open(tmp_path / "waveform.png") as wave:  # the picture of the peaks: a steady sine fills a band
        assert wave.size == (800, 200)
        column = [wave.getpixel((400, y)) for y in range(200)]
        assert column[100] != column[0] == column[199]  # drawn through the middle, background at the edges
    stream = _ffprobe(tmp_path / "audio.mp3")["streams"][0]
    assert (stream["codec_name"], stream["sample_rate"]) == ("mp3", "44100")
    assert _decoded_seconds(tmp_path / "audio.mp3") == pytest.approx(2.0, abs=0.1)


def test_audio_peaks_are_audiowaveform_v2_of_the_sine(sine_wav, tmp_path):
    derivatives.build("audio", sine_wav, tmp_path)
    peaks = json.loads((tmp_path / "peaks.json").read_text())
    assert {k: peaks[k] for k in ("version", "channels", "bits")} == {"version": 2, "channels": 1, "bits": 8}
    assert peaks["length"] * 2 == len(peaks["data"])
    assert peaks["length"] == math.ceil(2.0 * peaks["sample_rate"] / peaks["samples_per_pixel"])
    assert peaks["sample_rate"] / peaks["samples_per_pixel"] == 100  # 100 pixels per second for short audio
    mins, maxs = peaks["data"][0::2], peaks["data"][1::2]
    assert all(-128 <= lo <= hi <= 127 for lo, hi in zip(mins, maxs))
    # ffmpeg's sine has amplitude 1/8: about ±16 in 8 bits, in every pixel
    assert all(lo <= -12 for lo in mins[:-1]) and all(hi >= 12 for hi in maxs[:-1])


def test_long_audio_peaks_stay_within_2000_points(tmp_path):
    src = make_wav(tmp_path / "long.wav", seconds=25.0)
    (tmp_path / "d").mkdir()
    summary = derivatives.build("audio", src, tmp_path / "d")
    peaks = json.loads((tmp_path / "d" / "peaks.json").read_text())
    assert peaks["length"] <= 2000 < 25 * 100
    assert peaks["length"] == math.ceil(25.0 * peaks["sample_rate"] / peaks["samples_per_pixel"])
    assert summary["duration"] == pytest.approx(25.0, abs=0.01)


def test_audio_without_audio_stream_or_garbage_raises(tmp_path):
    silent = tmp_path / "silent.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x48:duration=0.2",
                    "-c:v", "libx264", "-preset", "ultrafast", str(silent)], check=True)
    garbage = corrupt(make_wav(tmp_path / "ok.wav", seconds=0.5), tmp_path / "garbage.wav", length=4096)
    for src in (silent, garbage):
        out = tmp_path / f"out-{src.stem}"
        out.mkdir()
        with pytest.raises(DerivativeError) as err:
            derivatives.build("audio", src, out)
        assert err.value.path == src and err.value.reason.startswith("ffmpeg failed: ")
        assert len(err.value.reason) > len("ffmpeg failed: ")


# ---------------------------------------------------------------- video

def _top_level_boxes(path: Path) -> list[str]:
    boxes, data, offset = [], path.read_bytes(), 0
    while offset + 8 <= len(data):
        size, kind = int.from_bytes(data[offset:offset + 4], "big"), data[offset + 4:offset + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[offset + 8:offset + 16], "big")
        boxes.append(kind)
        offset += size if size else len(data)
    return boxes


def test_video_mp4_is_h264_aac_720p_faststart_with_poster(tmp_path):
    src = make_mp4(tmp_path / "tall.mp4", seconds=1.0, size="1080x1440")
    out = tmp_path / "d"
    out.mkdir()
    summary = derivatives.build("video", src, out, max_pixels=BIG)
    assert summary == {"duration": pytest.approx(1.0, abs=0.1), "width": 540, "height": 720,
                       "format": "video/mp4", "path": "video.mp4", "poster": "poster.jpg"}
    assert json.loads((out / "video.json").read_text()) == summary
    streams = {s["codec_type"]: s for s in _ffprobe(out / "video.mp4")["streams"]}
    assert (streams["video"]["codec_name"], streams["video"]["pix_fmt"]) == ("h264", "yuv420p")
    assert (streams["video"]["width"], streams["video"]["height"]) == (540, 720)
    assert streams["audio"]["codec_name"] == "aac"
    boxes = _top_level_boxes(out / "video.mp4")
    assert boxes.index("moov") < boxes.index("mdat")
    with Image.open(out / "poster.jpg") as poster:
        assert (poster.format, poster.size) == ("JPEG", (540, 720))


def test_small_video_is_not_upscaled_and_odd_sizes_become_even(tmp_path):
    src = make_mp4(tmp_path / "odd.mp4", seconds=0.5, size="321x241")
    summary = derivatives.build("video", src, tmp_path)
    assert (summary["width"], summary["height"]) == (320, 240)


def test_video_without_audio(tmp_path):
    src = tmp_path / "silent.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:duration=1",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(src)], check=True)
    out = tmp_path / "d"
    out.mkdir()
    summary = derivatives.build("video", src, out)
    assert (summary["width"], summary["height"]) == (320, 240)
    assert [s["codec_type"] for s in _ffprobe(out / "video.mp4")["streams"]] == ["video"]
    assert (out / "poster.jpg").stat().st_size > 0


def test_corrupt_video_raises_naming_the_file(tmp_path):
    good = make_mp4(tmp_path / "good.mp4", seconds=0.5)
    src = truncate(good, tmp_path / "cut.mp4", keep=0.5)  # the moov atom (written last) is gone
    out = tmp_path / "d"
    out.mkdir()
    with pytest.raises(DerivativeError) as err:
        derivatives.build("video", src, out)
    assert err.value.path == src and str(src) in str(err.value)
    assert "moov atom not found" in err.value.reason
