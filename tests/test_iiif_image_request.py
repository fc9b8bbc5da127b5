"""Parsing and resolving Image API 3.0 parameters: sizes, regions, canonical forms, refusals naming the parameter."""
from __future__ import annotations

import pytest

from iiif.image_request import ImageRequestError, Limits, canonical, parse, resolve

LIMITS = Limits(max_width=4000, max_height=3000, max_area=6_000_000)
W, H = 2000, 1000


def resolved(region="full", size="max", rotation="0", quality_format="default.jpg"):
    req = parse(region, size, rotation, quality_format)
    r = resolve(req, W, H, LIMITS)
    return (r.x, r.y, r.w, r.h, r.width, r.height), canonical(req, r, W, H, LIMITS)


@pytest.mark.parametrize("region, size, box, canon", [
    ("full", "max", (0, 0, 2000, 1000, 2000, 1000), "full/max/0/default.jpg"),
    ("square", "max", (500, 0, 1000, 1000, 1000, 1000), "500,0,1000,1000/max/0/default.jpg"),
    ("1500,800,900,900", "max", (1500, 800, 500, 200, 500, 200), "1500,800,500,200/max/0/default.jpg"),
    ("pct:25,50,50,50", "pct:50", (500, 500, 1000, 500, 500, 250), "500,500,1000,500/500,250/0/default.jpg"),
    ("full", "500,", (0, 0, 2000, 1000, 500, 250), "full/500,250/0/default.jpg"),
    ("full", ",100", (0, 0, 2000, 1000, 200, 100), "full/200,100/0/default.jpg"),
    ("full", "300,300", (0, 0, 2000, 1000, 300, 300), "full/300,300/0/default.jpg"),
    ("full", "!400,400", (0, 0, 2000, 1000, 400, 200), "full/400,200/0/default.jpg"),
    ("0,0,100,100", "^200,", (0, 0, 100, 100, 200, 200), "0,0,100,100/^200,200/0/default.jpg"),
    ("0,0,1000,1000", "^!3000,2000", (0, 0, 1000, 1000, 2000, 2000), "0,0,1000,1000/^2000,2000/0/default.jpg"),
])
def test_region_size_and_canonical_form(region, size, box, canon):
    assert resolved(region, size) == (box, canon)


def test_max_is_capped_by_the_limits():
    req = parse("full", "max", "0", "default.jpg")
    r = resolve(req, 5000, 2000, LIMITS)
    assert (r.width, r.height) == (3872, 1549) and r.width * r.height <= LIMITS.max_area
    assert canonical(req, r, 5000, 2000, LIMITS).startswith("full/max/")


def test_rotation_mirroring_and_quality():
    req = parse("full", "max", "!90.50", "gray.png")
    assert (req.rotation, req.mirror, req.quality, req.format, req.mime) == (90.5, True, "gray", "png", "image/png")
    assert parse("full", "max", "360", "default.jpg").rotation == 0
    assert parse("full", "max", "0", "default.jpg").plain and not req.plain


@pytest.mark.parametrize("args, parameter", [
    (("full", "max", "0", "default.gif2"), "format"),
    (("full", "max", "0", "default"), "format"),
    (("full", "max", "0", "grey.jpg"), "quality"),
    (("full", "max", "400", "default.jpg"), "rotation"),
    (("full", "max", "1e3", "default.jpg"), "rotation"),
    (("full", "full", "0", "default.jpg"), "size"),
    (("full", ",", "0", "default.jpg"), "size"),
    (("full", "!100,", "0", "default.jpg"), "size"),
    (("full", "pct:0", "0", "default.jpg"), "size"),
    (("full", "^^max", "0", "default.jpg"), "size"),
    (("0,0,-1,10", "max", "0", "default.jpg"), "region"),
    (("pct:101,0,10,10", "max", "0", "default.jpg"), "region"),
    (("0,0,10", "max", "0", "default.jpg"), "region"),
])
def test_malformed_parameters_are_refused_by_name(args, parameter):
    with pytest.raises(ImageRequestError) as caught:
        parse(*args)
    assert caught.value.parameter == parameter and caught.value.status == 400


@pytest.mark.parametrize("region, size, parameter", [
    ("2000,0,10,10", "max", "region"),
    ("pct:100,0,10,10", "max", "region"),
    ("full", "2001,", "size"),
    ("full", "pct:101", "size"),
    ("full", "!4000,4000", "size"),
    ("full", "^5000,", "size"),
    ("full", "^3000,3000", "size"),
])
def test_requests_beyond_the_image_or_the_limits_are_refused(region, size, parameter):
    with pytest.raises(ImageRequestError) as caught:
        resolve(parse(region, size, "0", "default.jpg"), W, H, LIMITS)
    assert caught.value.parameter == parameter
