"""IIIF Image API 3.0 served from the stored tile pyramid, by the real app under waitress."""
from __future__ import annotations

import hashlib
import http.client
import io
import json
import math
import re
from pathlib import Path

import PIL.Image
import pytest
import requests
from PIL import Image, ImageChops, ImageOps, ImageStat

from ingest.pipeline import Ingest
from tests.live_server import live_app
from tests.media import make_jpeg

SIZE = (1300, 900)  # three levels: scale 1 (3×2 tiles), 2 (2×1), 4 (1×1)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("iiif-image")
    media = root / "media"
    make_jpeg(media / "view.jpg", SIZE, seed=7)
    make_jpeg(media / "hidden.jpg", (320, 240), seed=8)
    (media / "metadata.csv").write_text(
        "file,id,type,title_vi,title_en,community,rights,access\n"
        "view.jpg,view,image,Cảnh,View,khmer,http://creativecommons.org/licenses/by/4.0/,public\n"
        "hidden.jpg,hidden,image,Ẩn,Hidden,khmer,http://creativecommons.org/licenses/by/4.0/,staff\n", "utf-8")
    with live_app(root / "var") as live:
        summary = Ingest(live.archive, progress=False).run([media], media / "metadata.csv")
        assert not summary.rejected, summary.lines()
        live.sha = hashlib.sha256((media / "view.jpg").read_bytes()).hexdigest()
        live.hidden = hashlib.sha256((media / "hidden.jpg").read_bytes()).hexdigest()
        live.service = f"{live.url}/iiif/3/image/{live.sha}"
        live.derivatives = live.archive.store.derivative_dir(live.sha)
        live.pyramid = json.loads((live.derivatives / "image.json").read_text())
        live.original = live.archive.store.original_path(live.sha)
        yield live


def fetch(served, params: str, **kwargs) -> requests.Response:
    return requests.get(f"{served.service}/{params}", timeout=30, **kwargs)


def image_of(response: requests.Response) -> Image.Image:
    assert response.status_code == 200, response.text
    im = Image.open(io.BytesIO(response.content))
    im.load()
    return im


def raw_get(served, path: str) -> tuple[int, bytes]:
    """GET a path exactly as written (no client-side normalisation of dot segments or escapes)."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_info_json_describes_the_stored_pyramid(served):
    response = fetch(served, "info.json")
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    info = response.json()
    pyramid = served.pyramid
    assert info["@context"] == "http://iiif.io/api/image/3/context.json"
    assert info["id"] == served.service and info["type"] == "ImageService3" and info["profile"] == "level2"
    assert (info["width"], info["height"]) == SIZE
    assert info["tiles"] == [{"width": 512, "scaleFactors": [lv["scale"] for lv in pyramid["levels"]]}]
    assert [lv["scale"] for lv in pyramid["levels"]] == [1, 2, 4]
    sizes = {(s["width"], s["height"]) for s in info["sizes"]}
    assert {(t["width"], t["height"]) for t in pyramid["thumbnails"]} <= sizes
    assert {(lv["width"], lv["height"]) for lv in pyramid["levels"]} <= sizes
    assert info["maxArea"] <= info["maxWidth"] * info["maxHeight"]


def test_json_ld_when_asked(served):
    response = fetch(served, "info.json", headers={"Accept": "application/ld+json"})
    assert response.headers["Content-Type"] == 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'
    assert "Accept" in response.headers["Vary"]


def test_base_uri_redirects_to_info_json(served):
    response = requests.get(served.service, allow_redirects=False, timeout=30)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{served.service}/info.json"


def test_every_tile_and_thumbnail_is_the_stored_file(served):
    pyramid = served.pyramid
    width, height = SIZE
    count = 0
    for level in pyramid["levels"]:
        s = level["scale"]
        span = 512 * s
        for row in range(level["rows"]):
            for column in range(level["columns"]):
                x, y = column * span, row * span
                w, h = min(span, width - x), min(span, height - y)
                response = fetch(served, f"{x},{y},{w},{h}/{math.ceil(w / s)},{math.ceil(h / s)}/0/default.jpg")
                assert response.status_code == 200
                assert response.content == (served.derivatives / f"tiles/{s}/{column}_{row}.jpg").read_bytes()
                assert response.headers["Access-Control-Allow-Origin"] == "*"
                count += 1
    assert count == 6 + 2 + 1
    for thumb in pyramid["thumbnails"]:
        for size in (f"{thumb['width']},{thumb['height']}", f"{thumb['width']},"):
            response = fetch(served, f"full/{size}/0/default.jpg")
            assert response.content == (served.derivatives / thumb["path"]).read_bytes()


def reference(served, box, size, transform=lambda im: im) -> Image.Image:
    with Image.open(served.original) as original:
        return transform(original.convert("RGB").resize(size, Image.Resampling.LANCZOS, box=box))


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    assert a.size == b.size
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


@pytest.mark.parametrize("params, box, size, transform", [
    ("100,50,700,500/350,250/0/default.jpg", (100, 50, 800, 550), (350, 250), None),
    ("full/1000,/0/default.jpg", (0, 0, 1300, 900), (1000, 692), None),
    ("full/90,/0/default.png", (0, 0, 1300, 900), (90, 62), None),
    ("pct:10,20,30,40/200,/0/default.jpg", (130, 180, 520, 540), (200, 185), None),
    ("333,222,555,444/^700,/0/default.png", (333, 222, 888, 666), (700, 560), None),
    ("square/300,300/0/default.jpg", (200, 0, 1100, 900), (300, 300), None),
    ("600,300,700,600/!350,350/90/default.jpg", (600, 300, 1300, 900), (350, 300),
     lambda im: im.transpose(Image.Transpose.ROTATE_270)),
    ("0,0,800,600/400,300/!0/gray.jpg", (0, 0, 800, 600), (400, 300), lambda im: ImageOps.mirror(im).convert("L")),
    ("0,0,800,600/400,300/180/color.webp", (0, 0, 800, 600), (400, 300),
     lambda im: im.transpose(Image.Transpose.ROTATE_180)),
])
def test_rendered_image_matches_the_original(served, params, box, size, transform):
    im = image_of(fetch(served, params))
    expected = reference(served, box, size, transform or (lambda i: i))
    assert im.size == expected.size
    assert mean_difference(im, expected) < 4
    if "gray" in params:
        assert im.mode == "L"


def test_bitonal_is_black_and_white(served):
    im = image_of(fetch(served, "full/400,/0/bitonal.png"))
    assert im.mode == "1" and set(im.convert("L").getdata()) == {0, 255}


def test_arbitrary_rotation_expands_the_canvas(served):
    im = image_of(fetch(served, "0,0,400,300/400,300/45/default.png"))
    diagonal = (400 + 300) / math.sqrt(2)
    assert abs(im.width - diagonal) <= 2 and abs(im.height - diagonal) <= 2 and im.mode == "RGBA"


def test_rendering_reads_only_the_tiles_covering_the_region(served, monkeypatch):
    opened = []
    real_open = PIL.Image.open

    def recording_open(fp, *args, **kwargs):
        if isinstance(fp, (str, Path)):  # the server opens files; this test decodes responses from memory
            opened.append(Path(fp).relative_to(served.derivatives).as_posix())
        return real_open(fp, *args, **kwargs)

    monkeypatch.setattr(PIL.Image, "open", recording_open)
    image_of(fetch(served, "600,300,500,400/250,200/0/default.png"))  # half size: level 2, pixels 300..550 × 150..350
    assert sorted(opened) == ["tiles/2/0_0.jpg", "tiles/2/1_0.jpg"]
    opened.clear()
    image_of(fetch(served, "1030,520,200,200/100,100/0/default.png"))  # level 2 again, inside one tile
    assert opened == ["tiles/2/1_0.jpg"]
    opened.clear()
    image_of(fetch(served, "full/60,/0/default.jpg"))  # smaller than the smallest level: that one tile
    assert opened == ["tiles/4/0_0.jpg"]


def test_canonical_link_header(served):
    response = fetch(served, "pct:10,20,30,40/200,/0/default.jpg")
    links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>;rel="(\w+)"', response.headers["Link"]))
    assert links == {"canonical": f"{served.service}/130,180,390,360/200,185/0/default.jpg",
                     "profile": "http://iiif.io/api/image/3/level2.json"}
    assert requests.get(links["canonical"], timeout=30).content == response.content
    full = fetch(served, "0,0,1300,900/1300,900/0/default.jpg")
    assert f"<{served.service}/full/max/0/default.jpg>" in full.headers["Link"]


def test_upscaled_max_stays_within_the_advertised_limits(served):
    info = fetch(served, "info.json").json()
    im = image_of(fetch(served, "0,0,10,10/^max/0/default.jpg"))
    assert im.width <= info["maxWidth"] and im.height <= info["maxHeight"]
    assert im.width * im.height <= info["maxArea"] and im.width > 1000


@pytest.mark.parametrize("params, parameter", [
    ("full/^100000,100000/0/default.jpg", "size"),
    ("full/20000,/0/default.jpg", "size"),
    ("full/1301,/0/default.jpg", "size"),
    ("full/pct:150/0/default.jpg", "size"),
    ("full/!2000,2000/0/default.jpg", "size"),
    ("full/full/0/default.jpg", "size"),
    ("full/0,/0/default.jpg", "size"),
    ("-10,0,100,100/max/0/default.jpg", "region"),
    ("10,10,0,100/max/0/default.jpg", "region"),
    ("1300,0,100,100/max/0/default.jpg", "region"),
    ("pct:-5,0,10,10/max/0/default.jpg", "region"),
    ("full/max/361/default.jpg", "rotation"),
    ("full/max/-90/default.jpg", "rotation"),
    ("full/max/0/default.bmp", "format"),
    ("full/max/0/default", "format"),
    ("full/max/0/sepia.jpg", "quality"),
])
def test_bad_parameters_answer_400_without_decoding(served, monkeypatch, params, parameter):
    def refuse(*args, **kwargs):
        raise AssertionError("an image was opened for a request that should have been refused")

    monkeypatch.setattr(PIL.Image, "open", refuse)
    response = fetch(served, params)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["status"] == 400 and error["parameter"] == parameter and error["detail"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_identifiers_that_try_to_leave_the_store_answer_404_without_decoding(served, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an image was opened for a refused identifier")

    monkeypatch.setattr(PIL.Image, "open", refuse)
    sha = served.sha
    paths = ["/iiif/3/image/../../../etc/passwd/info.json",
             "/iiif/3/image/..%2F..%2F..%2Fetc%2Fpasswd/info.json",
             "/iiif/3/image/%2E%2E/info.json",
             "/iiif/3/image/%2E%2E/full/max/0/default.jpg",
             f"/iiif/3/image/{sha}%2F..%2F{sha}/info.json",
             f"/iiif/3/image/..%2F{sha}/full/max/0/default.jpg",
             f"/iiif/3/image/{sha[:2]}%2F{sha}/info.json",
             f"/iiif/3/image/{sha.upper()}/info.json",
             f"/iiif/3/image/{'0' * 64}/full/max/0/default.jpg",
             f"/iiif/3/image/{served.hidden}/info.json",
             f"/iiif/3/image/{served.hidden}/full/max/0/default.jpg",
             f"/media/..%2F{sha}/original"]
    for path in paths:
        status, body = raw_get(served, path)
        assert status == 404, path
        assert json.loads(body)["error"]["status"] == 404, path
