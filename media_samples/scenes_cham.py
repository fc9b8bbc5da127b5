"""Stylised illustrations for the Chăm samples: the Central Mosque, Katê offerings, a brocade pattern, a map card."""
from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw, ImageOps

from samplelib import coordinates, dms_label, font, star, text_center, vertical_gradient
from scenes_hoa import box

WHITE = (238, 236, 226)
GREEN = (46, 110, 92)


def crescent(img: Image.Image, cx: float, cy: float, r: float, colour) -> None:
    """A waxing crescent: a disc minus an offset disc, so the sky shows through."""
    mask = Image.new("L", img.size, 0)
    md = ImageDraw.Draw(mask)
    md.ellipse(box(cx, cy, r), fill=255)
    md.ellipse(box(cx + r * 0.45, cy - r * 0.15, r * 0.88), fill=0)
    img.paste(Image.new("RGB", img.size, colour), (0, 0), mask)


def _minaret(d: ImageDraw.ImageDraw, x: float, ground: float, tall: float, width: float) -> None:
    d.rectangle([x - width / 2, ground - tall, x + width / 2, ground], fill=WHITE)
    for f in (0.45, 0.8):  # balconies
        y = ground - tall * f
        d.rectangle([x - width * 0.85, y - width * 0.18, x + width * 0.85, y], fill=GREEN)
    top = ground - tall
    d.ellipse(box(x, top - width * 0.55, width * 0.75, width * 0.7), fill=GREEN)
    d.polygon([(x - width * 0.2, top - width * 1.1), (x + width * 0.2, top - width * 1.1), (x, top - width * 2)],
              fill=GREEN)
    d.line([(x, top - width * 2), (x, top - width * 2.6)], fill=(220, 190, 90), width=max(1, int(width * 0.08)))


def _arch(d: ImageDraw.ImageDraw, cx: float, bottom: float, half: float, tall: float, fill) -> None:
    """A pointed (ogee-like) arch opening."""
    spring = bottom - tall + half * 1.2
    d.rectangle([cx - half, spring, cx + half, bottom], fill=fill)
    d.polygon([(cx - half, spring), (cx - half * 0.7, spring - half * 0.8), (cx, bottom - tall),
               (cx + half * 0.7, spring - half * 0.8), (cx + half, spring)], fill=fill)


def central_mosque(w: int, h: int) -> Image.Image:
    """Thánh đường Hồi giáo Trung tâm (66 Đông Du) at twilight: white facade, four minarets, reflecting pool."""
    img = vertical_gradient((w, h), (22, 36, 92), (236, 160, 118))
    crescent(img, 0.82 * w, 0.15 * h, 0.05 * h, (250, 240, 200))
    d = ImageDraw.Draw(img)
    rng = random.Random(1935)
    for _ in range(120):
        x, y = rng.uniform(0, w), rng.uniform(0, 0.35) * h
        d.ellipse(box(x, y, h / 900), fill=(255, 250, 230))
    ground = 0.72 * h
    x0, x1, top = 0.2 * w, 0.8 * w, 0.46 * h
    d.rectangle([x0, top, x1, ground], fill=WHITE)
    step = (x1 - x0) / 40
    for i in range(40):  # crenellated parapet
        if i % 2 == 0:
            d.rectangle([x0 + i * step, top - step * 0.9, x0 + (i + 1) * step, top], fill=WHITE)
    d.rectangle([x0, top + 0.01 * h, x1, top + 0.02 * h], fill=GREEN)
    for i in range(9):
        cx = x0 + (i + 0.5) * (x1 - x0) / 9
        if i == 4:
            _arch(d, cx, ground, 0.045 * w, 0.2 * h, GREEN)
            _arch(d, cx, ground, 0.032 * w, 0.17 * h, (250, 210, 130))  # lamp-lit entrance
        else:
            _arch(d, cx, ground - 0.02 * h, 0.022 * w, 0.15 * h, GREEN)
    for x, tall in ((0.2 * w, 0.36 * h), (0.8 * w, 0.36 * h), (0.42 * w, 0.33 * h), (0.58 * w, 0.33 * h)):
        _minaret(d, x, ground, tall, 0.022 * w)
    d.rectangle([0, ground, w, ground + 0.03 * h], fill=(200, 196, 186))
    pool_top = ground + 0.03 * h
    above = img.crop((0, int(pool_top - (h - pool_top)), w, int(pool_top)))
    reflection = ImageOps.flip(above)
    water = Image.new("RGB", reflection.size, (40, 70, 100))
    img.paste(Image.blend(reflection, water, 0.55), (0, int(pool_top)))
    d = ImageDraw.Draw(img)
    for _ in range(300):
        y = rng.uniform(pool_top, h)
        x = rng.uniform(0, w)
        d.line([(x, y), (x + rng.uniform(0.01, 0.04) * w, y)], fill=(120, 140, 160), width=max(1, int(h / 800)))
    return img


def _kalan(d: ImageDraw.ImageDraw, cx: float, ground: float, width: float, tall: float) -> None:
    """A Chăm brick tower (kalan): a body with a doorway and three receding upper storeys."""
    brick, dark = (176, 84, 52), (120, 52, 32)
    body_h = tall * 0.45
    d.rectangle([cx - width / 2, ground - body_h, cx + width / 2, ground], fill=brick)
    for k in range(1, 12):
        y = ground - body_h * k / 12
        d.line([(cx - width / 2, y), (cx + width / 2, y)], fill=dark, width=max(1, int(width * 0.004)))
    for f in (-0.38, 0.38):  # pilasters
        d.rectangle([cx + f * width - width * 0.04, ground - body_h, cx + f * width + width * 0.04, ground], fill=dark)
    _arch(d, cx, ground, width * 0.12, body_h * 0.8, (60, 30, 24))
    y = ground - body_h
    for k in range(3):
        sw = width * (0.8 - k * 0.2)
        sh = tall * (0.15 - k * 0.02)
        d.rectangle([cx - sw / 2, y - sh, cx + sw / 2, y], fill=brick if k % 2 == 0 else (190, 96, 60))
        for side in (-1, 1):  # corner finials
            fx = cx + side * sw / 2
            d.polygon([(fx - sw * 0.06, y), (fx + sw * 0.06, y), (fx, y - sh * 0.9)], fill=dark)
        y -= sh
    d.polygon([(cx - width * 0.12, y), (cx + width * 0.12, y), (cx, y - tall * 0.12)], fill=brick)


def kate_offerings(w: int, h: int) -> Image.Image:
    """Katê: offering trays, candles and a Ginăng drum before a brick tower (illustration)."""
    rng = random.Random(1707)
    img = vertical_gradient((w, h), (120, 170, 220), (250, 220, 170))
    d = ImageDraw.Draw(img)
    ground = 0.7 * h
    d.rectangle([0, ground, w, h], fill=(214, 190, 140))
    _kalan(d, 0.5 * w, ground, 0.3 * w, 0.62 * h)
    for cx in (0.3 * w, 0.7 * w):  # tiered offering trays
        d.rectangle([cx - 0.005 * w, ground + 0.02 * h, cx + 0.005 * w, 0.9 * h], fill=(120, 80, 40))
        d.ellipse(box(cx, ground + 0.02 * h, 0.1 * w, 0.025 * h), fill=(200, 150, 60))
        fruit = [(230, 200, 50), (240, 120, 40), (120, 170, 60), (200, 40, 60), (250, 250, 240)]
        for j in range(14):
            fx = cx + rng.uniform(-0.08, 0.08) * w
            d.ellipse(box(fx, ground - rng.uniform(0, 0.03) * h, 0.014 * w), fill=rng.choice(fruit))
    for i in range(6):
        x = (0.36 + i * 0.056) * w
        d.rectangle([x - 0.005 * w, 0.88 * h - 0.08 * h, x + 0.005 * w, 0.88 * h], fill=(250, 240, 200))
        d.ellipse(box(x, 0.79 * h, 0.004 * w, 0.012 * h), fill=(255, 190, 60))
    dx, dy = 0.14 * w, 0.86 * h  # Ginăng drum lying on its side
    d.ellipse(box(dx - 0.08 * w, dy, 0.02 * w, 0.06 * h), fill=(190, 150, 100))
    d.rectangle([dx - 0.08 * w, dy - 0.06 * h, dx + 0.08 * w, dy + 0.06 * h], fill=(150, 70, 40))
    for k in range(7):
        x = dx - 0.08 * w + k * 0.16 * w / 6
        d.line([(x, dy - 0.06 * h), (x + 0.02 * w, dy + 0.06 * h)], fill=(230, 210, 170), width=max(1, int(0.003 * h)))
    d.ellipse(box(dx + 0.08 * w, dy, 0.02 * w, 0.06 * h), fill=(230, 200, 150))
    return img


def brocade(w: int, h: int, cell: int = 10) -> Image.Image:
    """A woven-looking band pattern in the colours of Chăm brocade (an inspiration, not a specific textile)."""
    red, black, yellow, green, cream = (168, 30, 40), (30, 20, 22), (232, 188, 64), (40, 120, 84), (240, 228, 204)
    cols, rows = w // cell, h // cell
    img = Image.new("RGB", (w, h), red)
    d = ImageDraw.Draw(img)
    band_kinds = ["stripe", "diamond", "stripe", "zigzag", "stripe", "lozenge", "stripe", "diamond", "stripe", "zigzag"]
    band_h = rows / len(band_kinds)
    for r in range(rows):
        band = int(r / band_h)
        y = (r - band * band_h) / band_h  # 0..1 inside the band
        kind = band_kinds[band]
        for c in range(cols):
            if kind == "stripe":
                colour = (black, yellow, black, green)[int(y * 4)]
            elif kind == "diamond":
                u = (c % 24) / 24
                dist = abs(u - 0.5) + abs(y - 0.5)
                colour = yellow if dist < 0.18 else (cream if dist < 0.3 else (black if dist < 0.36 else red))
            elif kind == "zigzag":
                colour = cream if abs(abs((c % 16) / 8 - 1) - y) < 0.14 else green
            else:  # nested lozenges
                dist = abs((c % 20) / 20 - 0.5) + abs(y - 0.5)
                colour = red if dist < 0.06 else (yellow if 0.12 < dist < 0.19 or 0.3 < dist < 0.36 else black)
            x0, y0 = c * cell, r * cell
            d.rectangle([x0, y0, x0 + cell - 1, y0 + cell - 1], fill=colour)
            d.line([(x0, y0), (x0 + cell - 1, y0)], fill=tuple(min(255, v + 24) for v in colour))
    return img


def _metres(lat: float, lon: float, lat0: float, lon0: float) -> tuple[float, float]:
    """East/north offset in metres (equirectangular; fine over a few kilometres)."""
    return (lon - lon0) * 111_320 * math.cos(math.radians(lat0)), (lat - lat0) * 110_574


def map_card(w: int, h: int) -> Image.Image:
    """A heritage-walk card: Dinh Độc Lập and the Central Mosque plotted from their coordinates (schematic)."""
    paper, ink, accent = (242, 232, 206), (60, 44, 30), (168, 40, 36)
    img = Image.new("RGB", (w, h), paper)
    d = ImageDraw.Draw(img)
    u = h / 1000
    d.rectangle([20 * u, 20 * u, w - 20 * u, h - 20 * u], outline=ink, width=int(4 * u))
    d.rectangle([32 * u, 32 * u, w - 32 * u, h - 32 * u], outline=ink, width=int(1.5 * u))
    d.text((70 * u, 60 * u), "Dinh Độc Lập · Independence Palace", font=font("serif-bold", int(54 * u)), fill=ink)
    d.text((70 * u, 135 * u),
           "Lộ trình di sản: từ Dinh Độc Lập đến Thánh đường Hồi giáo Trung tâm (Masjid Musulman, 66 Đông Du)",
           font=font("sans", int(24 * u)), fill=ink)
    d.text((70 * u, 170 * u),
           "Heritage walk: from Independence Palace to the Saigon Central Mosque (Masjid Musulman, 66 Đông Du)",
           font=font("sans", int(24 * u)), fill=ink)

    palace, mosque = coordinates("dinh-doc-lap"), coordinates("thanh-duong-trung-tam")
    frame = (70 * u, 230 * u, w - 70 * u, h - 150 * u)
    d.rectangle(frame, fill=(232, 220, 190), outline=ink, width=int(2 * u))
    lat0, lon0 = (palace[0] + mosque[0]) / 2, (palace[1] + mosque[1]) / 2
    span_m = 1.6 * max(abs(_metres(*palace, lat0, lon0)[0]), 300) * 2
    px_per_m = (frame[2] - frame[0]) / span_m
    cx, cy = (frame[0] + frame[2]) / 2, (frame[1] + frame[3]) / 2

    def to_px(lat: float, lon: float) -> tuple[float, float]:
        east, north = _metres(lat, lon, lat0, lon0)
        return cx + east * px_per_m, cy - north * px_per_m

    grid = 0.002  # graticule every 0.002° with labels
    lat = math.floor((lat0 - 0.01) / grid) * grid
    while lat < lat0 + 0.01:
        y = to_px(lat, lon0)[1]
        if frame[1] < y < frame[3]:
            d.line([(frame[0], y), (frame[2], y)], fill=(200, 184, 150), width=max(1, int(u)))
            d.text((frame[0] + 8 * u, y - 22 * u), f"{lat:.3f}°N", font=font("sans", int(16 * u)), fill=(120, 100, 80))
        lat += grid
    lon = math.floor((lon0 - 0.02) / grid) * grid
    while lon < lon0 + 0.02:
        x = to_px(lat0, lon)[0]
        if frame[0] < x < frame[2]:
            d.line([(x, frame[1]), (x, frame[3])], fill=(200, 184, 150), width=max(1, int(u)))
            d.text((x + 6 * u, frame[3] - 26 * u), f"{lon:.3f}°E", font=font("sans", int(16 * u)), fill=(120, 100, 80))
        lon += grid

    a, b = to_px(*palace), to_px(*mosque)
    steps = 40
    for i in range(0, steps, 2):  # dashed straight line
        p = (a[0] + (b[0] - a[0]) * i / steps, a[1] + (b[1] - a[1]) * i / steps)
        q = (a[0] + (b[0] - a[0]) * (i + 1) / steps, a[1] + (b[1] - a[1]) * (i + 1) / steps)
        d.line([p, q], fill=accent, width=int(4 * u))
    east, north = _metres(*mosque, *palace)
    distance = math.hypot(east, north)
    mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    text_center(d, (mid[0], mid[1] - 30 * u), f"{distance / 1000:.2f} km (đường chim bay / as the crow flies)",
                font("sans", int(20 * u)), accent)
    for (x, y), name, (la, lo) in ((a, "Dinh Độc Lập / Independence Palace", palace),
                                   (b, "Thánh đường Trung tâm / Central Mosque", mosque)):
        d.ellipse(box(x, y, 14 * u), fill=accent, outline=ink, width=int(3 * u))
        if la == palace[0]:  # tiny façade icons: the palace's vertical fins, the mosque's minarets
            d.rectangle([x - 60 * u, y - 110 * u, x + 60 * u, y - 40 * u], fill=(250, 246, 232), outline=ink,
                        width=int(2 * u))
            for k in range(13):
                fx = x - 54 * u + k * 9 * u
                d.line([(fx, y - 100 * u), (fx, y - 48 * u)], fill=ink, width=max(1, int(2 * u)))
        else:
            d.rectangle([x - 45 * u, y - 80 * u, x + 45 * u, y - 40 * u], fill=WHITE, outline=GREEN, width=int(2 * u))
            for fx in (-45, -15, 15, 45):
                d.rectangle([x + fx * u - 4 * u, y - 110 * u, x + fx * u + 4 * u, y - 40 * u], fill=GREEN)
                d.ellipse(box(x + fx * u, y - 112 * u, 7 * u), fill=GREEN)
        text_center(d, (x, y + 45 * u), name, font("sans-bold", int(22 * u)), ink)
        text_center(d, (x, y + 75 * u), dms_label(la, lo), font("sans", int(18 * u)), ink)

    rose = (frame[2] - 90 * u, frame[1] + 100 * u)  # compass rose
    d.polygon(star(*rose, 55 * u, 12 * u, points=4), fill=ink)
    d.polygon(star(*rose, 30 * u, 8 * u, points=4, rotation=-45), fill=accent)
    text_center(d, (rose[0], rose[1] - 80 * u), "N", font("serif-bold", int(28 * u)), ink)

    bar_m = 200
    bx, by = frame[2] - 60 * u - bar_m * px_per_m, frame[3] - 60 * u
    d.rectangle([bx, by, bx + bar_m * px_per_m, by + 10 * u], fill=ink)
    d.text((bx, by - 32 * u), f"{bar_m} m", font=font("sans", int(20 * u)), fill=ink)

    d.text((70 * u, h - 130 * u), "Sơ đồ minh họa do dự án tạo, không vẽ đường phố; toạ độ theo hệ WGS 84.",
           font=font("sans", int(20 * u)), fill=ink)
    d.text((70 * u, h - 100 * u), "Schematic illustration made by the project; streets not drawn; WGS 84 coordinates.",
           font=font("sans", int(20 * u)), fill=ink)
    return img
