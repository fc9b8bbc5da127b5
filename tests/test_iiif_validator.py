"""The official IIIF Image API validator (iiif-validator 1.0.5) passes every level 0, 1 and 2 test."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from ingest.pipeline import Ingest
from tests.live_server import live_app

TEST_IMAGE = Path(__file__).resolve().parent / "fixtures" / "iiif" / "67352ccc-d1b0-11e1-89ae-279075081939.png"
VALIDATOR = Path(sys.executable).with_name("iiif-validate.py")


def test_image_api_validator_passes_level_2(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    image = media / "squares.png"
    shutil.copyfile(TEST_IMAGE, image)
    (media / "metadata.csv").write_text(
        "file,type,title_vi,title_en,community,rights,access\n"
        "squares.png,image,Ô vuông,Squares,hoa,http://creativecommons.org/publicdomain/zero/1.0/,public\n", "utf-8")
    sha = hashlib.sha256(image.read_bytes()).hexdigest()
    with live_app(tmp_path / "var") as live:
        summary = Ingest(live.archive, progress=False).run([media], media / "metadata.csv")
        assert not summary.rejected, summary.lines()
        result = subprocess.run([sys.executable, str(VALIDATOR), "-s", f"127.0.0.1:{live.port}", "-p", "iiif/3/image",
                                 "-i", sha, "--version=3.0", "--level", "2"],
                                capture_output=True, text=True, timeout=300)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "Done (33 tests, 0 failures)" in report, report
