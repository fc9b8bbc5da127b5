"""Technical metadata from real files: a Pillow JPEG with camera EXIF, ffmpeg-made audio and video."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from ingest.techmd import TechMetadataError, av_metadata, image_metadata
from tests.media import make_mp4, make_png, make_wav


def _photo(path: Path, *, date="2019:10:05 14:30:00", lat_ref="N", lon_ref="E") -> Path:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "Canon EOS 5D Mark IV\x00"
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.Exif).update({ExifTags.Base.DateTimeOriginal: date,
                                            ExifTags.Base.OffsetTimeOriginal: "+07:00"})
    # Saigon Central Mosque, 66 Đông Du: 10°46'35.5" N, 106°42'17.3" E
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({
        ExifTags.GPS.GPSLatitudeRef: lat_ref, ExifTags.GPS.GPSLatitude: (10, 46, IFDRational(355, 10)),
        ExifTags.GPS.GPSLongitudeRef: lon_ref, ExifTags.GPS.GPSLongitude: (106, 42, IFDRational(173, 10))})
    Image.new("RGB", (64, 48), "teal").save(path, exif=exif)
    return path


def test_jpeg_exif(tmp_path):
    meta = image_metadata(_photo(tmp_path / "photo.jpg"))
    assert meta == {"format": "JPEG", "width": 64, "height": 48, "mode": "RGB", "orientation": 6,
                    "date_taken": "2019-10-05T14:30:00+07:00", "camera_make": "Canon",
                    "camera_model": "Canon EOS 5D Mark IV",
                    "gps_latitude": pytest.approx(10.776528, abs=1e-6),
                    "gps_longitude": pytest.approx(106.704806, abs=1e-6)}


def test_southern_western_coordinates_are_negative_and_unset_clock_is_left_out(tmp_path):
    meta = image_metadata(_photo(tmp_path / "photo.jpg", date="0000:00:00 00:00:00", lat_ref="S", lon_ref="W"))
    assert meta["gps_latitude"] < 0 and meta["gps_longitude"] < 0
    assert "date_taken" not in meta


def test_image_without_exif(tmp_path):
    meta = image_metadata(make_png(tmp_path / "plain.png"))
    assert meta == {"format": "PNG", "width": 320, "height": 240, "mode": "RGB"}


def test_unreadable_image(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image at all")
    with pytest.raises(TechMetadataError) as err:
        image_metadata(bad)
    assert err.value.path == bad and "cannot read image metadata" in err.value.reason


def test_video_streams(tmp_path):
    meta = av_metadata(make_mp4(tmp_path / "clip.mp4", seconds=1.0, size="320x240"))
    assert "mp4" in meta["format"] and meta["duration"] == pytest.approx(1.0, abs=0.1) and meta["bit_rate"] > 0
    video, audio = meta["streams"]
    assert (video["codec_type"], video["codec"], video["width"], video["height"], video["frame_rate"]) == (
        "video", "h264", 320, 240, 25.0)
    assert (audio["codec_type"], audio["codec"], audio["channels"]) == ("audio", "aac", 1)
    assert audio["sample_rate"] > 0


def test_audio_stream(tmp_path):
    meta = av_metadata(make_wav(tmp_path / "tone.wav", seconds=1.5))
    assert meta["format"] == "wav" and meta["duration"] == pytest.approx(1.5, abs=0.01)
    assert meta["streams"] == [{"index": 0, "codec_type": "audio", "codec": "pcm_s16le", "duration": 1.5,
                                "bit_rate": 352800, "sample_rate": 22050, "channels": 1}]


def test_unreadable_av_file(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 1000)
    with pytest.raises(TechMetadataError) as err:
        av_metadata(bad)
    assert err.value.path == bad and err.value.reason.startswith("ffprobe cannot read it: ")
    assert len(err.value.reason) > len("ffprobe cannot read it: ")
