"""Personal data is protected (PRODUCT.md §5): a photo's GPS position and its device serial numbers are kept for staff
and shown to nobody else unless an editor publishes the location; web derivatives carry no EXIF at all; an original
holding what the public may not see is not offered to it; an image whose licence keeps its original from download
cannot be had larger than its largest thumbnail through the IIIF Image API."""
from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image

from archive import audit, editing
from archive.access import Viewer
from archive.catalog.models import MediaFile
from archive.web import create_app
from ingest.pipeline import Ingest
from tests.conftest import make_settings

from .staff_client import add_user, page_token, sign_in

OPEN = "http://creativecommons.org/licenses/by/4.0/"
CLOSED = "http://rightsstatements.org/vocab/InC/1.0/"


def _photo_with_gps(path, size=(2400, 1600)):
    """A JPEG as a phone writes it: GPS position of a home in District 5, camera and lens serial numbers."""
    image = Image.new("RGB", size, (120, 80, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.BodySerialNumber] = "SN-0042-PRIVATE"
    details[ExifTags.Base.LensSerialNumber] = "LENS-77"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (10.0, 45.0, 21.6)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", (106.0, 39.0, 36.0)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", exif=exif)
    return path


@pytest.fixture
def settings(data_dir):
    return make_settings(data_dir, workers=1)


@pytest.fixture
def site(settings, archive, tmp_path):
    folder = tmp_path / "in"
    _photo_with_gps(folder / "nhà-bà-Lan.jpg")
    (folder / "metadata.csv").write_text(
        "file,id,title_vi,title_en,community,rights\n"
        f"nhà-bà-Lan.jpg,home-photo,Ảnh ở nhà,Photo at home,hoa,{OPEN}\n", "utf-8")
    assert not Ingest(archive, progress=False).run([folder], folder / "metadata.csv").rejected
    editor = add_user(archive, "editor1", "editor")
    app = create_app(settings, archive)
    staff = app.test_client()
    assert sign_in(staff, "editor1").status_code == 302
    with archive.catalog.session() as s:
        sha = s.query(MediaFile).one().sha256
    return {"app": app, "staff": staff, "public": app.test_client(), "sha": sha,
            "editor": Viewer(editor.id, "editor", "editor1")}


def _techmd(client) -> dict:
    """The photo's technical metadata from /api/items/home-photo, which the list /api/items gives the same."""
    one = client.get("/api/items/home-photo").get_json()["media"][0]["techmd"]
    listed = {i["id"]: i for i in client.get("/api/items").get_json()["items"]}["home-photo"]["media"][0]["techmd"]
    assert listed == one
    return one


def test_gps_and_serials_are_for_staff_until_an_editor_publishes_the_location(site, archive):
    staff, public = _techmd(site["staff"]), _techmd(site["public"])
    assert staff["gps_latitude"] == pytest.approx(10.756, abs=1e-3) and staff["camera_serial"] == "SN-0042-PRIVATE"
    assert staff["lens_serial"] == "LENS-77"
    for key in ("gps_latitude", "gps_longitude", "camera_serial", "lens_serial"):
        assert key not in public
    assert public["camera_model"] == "Phone 12"  # what identifies nobody stays public
    assert site["public"].get(f"/media/{site['sha']}/original").status_code == 404  # the EXIF inside would tell
    assert site["staff"].get(f"/media/{site['sha']}/original").status_code == 200

    # An editor publishes the location through the access form: versioned and audited like any access change.
    page = "/en/staff/items/home-photo"
    token = page_token(site["staff"], page)
    answer = site["staff"].post(f"{page}/access", data={"csrf_token": token, "access": "public",
                                                        "location_public": "1"})
    assert answer.status_code == 302
    public = _techmd(site["public"])
    assert public["gps_longitude"] == pytest.approx(106.66, abs=1e-2)
    assert "camera_serial" not in public and "lens_serial" not in public  # serials: never public
    assert site["public"].get(f"/media/{site['sha']}/original").status_code == 404  # the serials are inside
    entry = audit.entries(archive, action="access_change")[0]
    assert entry.details["location_public"] is True


def test_web_derivatives_carry_no_exif(site, archive):
    derivative_dir = archive.store.derivative_dir(site["sha"])
    jpegs = list(derivative_dir.rglob("*.jpg"))
    assert len(jpegs) > 5  # tiles and thumbnails
    for path in jpegs:
        with Image.open(path) as im:
            exif = im.getexif()
            assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Make not in exif, path
    client = site["public"]
    for url in (f"/iiif/3/image/{site['sha']}/full/max/0/default.jpg",
                f"/iiif/3/image/{site['sha']}/0,0,600,600/300,/0/default.png"):
        response = client.get(url)
        assert response.status_code == 200
        with Image.open(io.BytesIO(response.data)) as im:
            assert not im.getexif().get_ifd(ExifTags.IFD.GPSInfo), url


def test_an_image_whose_licence_forbids_download_is_no_larger_than_its_largest_thumbnail(site, archive):
    client, sha = site["public"], site["sha"]
    full = client.get(f"/iiif/3/image/{sha}/info.json").get_json()
    assert full["maxWidth"] == 8192  # open licence: the server's own limits
    assert client.get(f"/iiif/3/image/{sha}/full/max/0/default.jpg").status_code == 200

    with archive.catalog.session() as s:
        record = dict(s.query(MediaFile).one().item.record)
    editing.update_item(archive, "home-photo", {**record, "rights": CLOSED}, site["editor"])
    info = client.get(f"/iiif/3/image/{sha}/info.json").get_json()
    largest = max(info["sizes"], key=lambda size: size["width"])
    assert info["maxWidth"] == largest["width"] < 2400 and info["maxArea"] == largest["width"] * largest["height"]
    response = client.get(f"/iiif/3/image/{sha}/full/max/0/default.jpg")
    assert response.status_code == 200
    with Image.open(io.BytesIO(response.data)) as im:
        assert im.width <= info["maxWidth"] and im.width * im.height <= info["maxArea"]
    bigger = client.get(f"/iiif/3/image/{sha}/full/{info['maxWidth'] + 1},/0/default.jpg")
    assert bigger.status_code == 400 and bigger.get_json()["error"]["parameter"] == "size"
    tile = client.get(f"/iiif/3/image/{sha}/0,0,512,512/512,/0/default.jpg")
    assert tile.status_code == 200  # deep zoom still works, tile by tile
    assert client.get(f"/media/{sha}/original").status_code == 404
