"""Stylised illustrations for the Hoa samples: lantern night, incense coils, Mid-Autumn lanterns.

Each scene takes the canvas size in pixels and lays everything out in fractions of it, so the same scene can be
rendered large (video source, supersampling) or small. Seeds are fixed.
"""
from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw, ImageFilter

from samplelib import font, glow, quad_curve, star, text_center, vertical_gradient

GOLD = (236, 184, 72)
LANTERN_RED = (206, 28, 24)


def box(cx: float, cy: float, rx: float, ry: float | None = None) -> list[float]:
    ry = rx if ry is None else ry
    return [cx - rx, cy - ry, cx + rx, cy + ry]


def lantern(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float, colour=LANTERN_RED, glyph: str | None = None):
    """A round Chinese palace lantern hanging from (cx, cy - r)."""
    dark = tuple(max(0, c - 70) for c in colour)
    d.line([(cx, cy - 1.25 * r), (cx, cy - 0.8 * r)], fill=(60, 40, 30), width=max(1, int(r * 0.05)))
    d.ellipse(box(cx, cy, r, 0.82 * r), fill=colour)
    for f in (0.75, 0.45, 0.15):
        d.ellipse(box(cx, cy, r * f, 0.82 * r), outline=dark, width=max(1, int(r * 0.04)))
    d.rectangle(box(cx, cy - 0.82 * r, 0.42 * r, 0.1 * r), fill=GOLD)
    d.rectangle(box(cx, cy + 0.82 * r, 0.42 * r, 0.1 * r), fill=GOLD)
    for k in range(-3, 4):
        x = cx + k * 0.07 * r
        d.line([(x, cy + 0.9 * r), (x, cy + 1.7 * r)], fill=(230, 60, 40) if k % 2 else GOLD,
               width=max(1, int(r * 0.035)))
    if glyph:
        text_center(d, (cx, cy), glyph, font("cjk-serif", max(8, int(r * 0.85))), GOLD)


def _y_at(points: list[tuple[float, float]], x: float) -> float:
    """y of a left-to-right polyline at x (linear interpolation)."""
    for (xa, ya), (xb, yb) in zip(points, points[1:]):
        if xa <= x <= xb and xb > xa:
            return ya + (yb - ya) * (x - xa) / (xb - xa)
    return points[0][1] if x < points[0][0] else points[-1][1]


def _hall_roof(d: ImageDraw.ImageDraw, w: int, h: int, x0: float, x1: float, y_ridge: float, y_eave: float,
               rng: random.Random) -> None:
    """Swallow-tail roof of a Chợ Lớn assembly hall: concave slopes, upturned eaves, figurines on the ridge."""
    mid = (x0 + x1) / 2
    span = x1 - x0
    left_tip, right_tip = (x0, y_eave - 0.03 * h), (x1, y_eave - 0.03 * h)
    rl, rr = (x0 + 0.2 * span, y_ridge), (x1 - 0.2 * span, y_ridge)
    upper_left = quad_curve(left_tip, (x0 + 0.12 * span, y_eave - 0.005 * h), rl)
    upper_right = quad_curve(rr, (x1 - 0.12 * span, y_eave - 0.005 * h), right_tip)
    lower = quad_curve(right_tip, (mid, y_eave + 0.09 * h), left_tip)
    d.polygon(upper_left + upper_right + lower, fill=(30, 74, 64))
    upper, lower_lr = upper_left + upper_right, lower[::-1]
    for i in range(1, 70):  # vertical rows of tiles between the two outlines
        x = x0 + span * i / 70
        d.line([(x, _y_at(upper, x)), (x, _y_at(lower_lr, x))], fill=(20, 52, 46), width=max(1, int(0.0025 * h)))
    d.line(lower, fill=(236, 184, 72), width=max(2, int(0.006 * h)))
    d.rectangle([rl[0], y_ridge - 0.022 * h, rr[0], y_ridge + 0.004 * h], fill=(170, 120, 50))
    x = rl[0] + 0.01 * span
    while x < rr[0] - 0.02 * span:  # ceramic figurines along the ridge
        fw = (0.008 + rng.random() * 0.01) * span
        fh = (0.015 + rng.random() * 0.02) * h
        colour = rng.choice([(40, 120, 110), (200, 150, 60), (170, 60, 40), (230, 220, 190)])
        d.rounded_rectangle([x, y_ridge - 0.022 * h - fh, x + fw, y_ridge - 0.02 * h], radius=fw / 3, fill=colour)
        x += fw + 0.004 * span
    for end in (rl[0], rr[0]):  # curled ridge ends
        d.arc(box(end, y_ridge - 0.045 * h, 0.03 * h), 90, 300 if end < mid else 240, fill=(170, 120, 50),
              width=max(2, int(0.01 * h)))
    d.ellipse(box(mid, y_ridge - 0.06 * h, 0.02 * h), fill=(240, 90, 40), outline=GOLD, width=max(1, int(0.004 * h)))


def plaque(d: ImageDraw.ImageDraw, cx: float, cy: float, width: float, text: str) -> None:
    """Black lacquer plaque with gold characters written right to left, as on old temple plaques."""
    height = width / (len(text) + 0.6)
    d.rectangle(box(cx, cy, width / 2, height / 2), fill=(18, 14, 12), outline=GOLD, width=max(2, int(height * 0.06)))
    fnt = font("cjk-serif", max(8, int(height * 0.7)))
    cell = width / (len(text) + 0.6)
    for i, ch in enumerate(text):
        text_center(d, (cx + width / 2 - cell * (i + 0.8), cy), ch, fnt, GOLD)


def _people(d: ImageDraw.ImageDraw, w: int, h: int, rng: random.Random, count: int, colour=(18, 10, 16)) -> None:
    for i in range(count):
        x = (i + 0.3 + rng.random() * 0.4) * w / count
        tall = (0.11 + rng.random() * 0.05) * h
        head = tall * 0.13
        base = h + tall * 0.25
        d.ellipse(box(x, base - tall, head), fill=colour)
        d.rounded_rectangle([x - head * 1.5, base - tall + head * 1.1, x + head * 1.5, base], radius=head, fill=colour)
        if rng.random() < 0.45:  # a child's lantern on a stick
            lx, ly = x + head * 2.6, base - tall * 0.95
            d.line([(x + head * 1.2, base - tall * 0.55), (lx, ly)], fill=(60, 40, 20), width=max(1, int(head * 0.12)))
            lantern(d, lx, ly + head * 1.4, head * 0.9)


def lantern_night(w: int, h: int) -> Image.Image:
    """Tết Nguyên Tiêu: strings of red lanterns in front of Tuệ Thành Hội Quán under the full moon."""
    rng = random.Random(1501)
    img = vertical_gradient((w, h), (8, 12, 42), (78, 28, 58))
    d = ImageDraw.Draw(img)
    for _ in range(220):
        x, y = rng.random() * w, rng.random() * h * 0.5
        r = rng.choice((0.6, 0.8, 1.0, 1.4)) * h / 1000
        d.ellipse(box(x, y, r), fill=(255, 250, 225))
    moon = (0.84 * w, 0.15 * h, 0.07 * h)
    img = glow(img, lambda g, k: g.ellipse(box(moon[0] * k, moon[1] * k, moon[2] * 2 * k), fill=(110, 95, 60)),
               radius=0.05 * h)
    d = ImageDraw.Draw(img)
    d.ellipse(box(*moon), fill=(255, 244, 212))
    for dx, dy, f in ((-0.3, -0.2, 0.22), (0.25, 0.3, 0.15), (0.35, -0.35, 0.1)):
        d.ellipse(box(moon[0] + dx * moon[2], moon[1] + dy * moon[2], f * moon[2]), fill=(238, 226, 192))

    ground = 0.86 * h
    d.rectangle([0, ground, w, h], fill=(46, 20, 20))
    bx0, bx1, by0 = 0.16 * w, 0.84 * w, 0.57 * h
    d.rectangle([bx0, by0, bx1, ground], fill=(112, 30, 26))
    d.rectangle([0.42 * w, 0.69 * h, 0.58 * w, ground], fill=(255, 196, 100))  # lit doorway
    d.rectangle([0.435 * w, 0.705 * h, 0.565 * w, ground], fill=(250, 170, 70))
    for i in range(8):
        cx = bx0 + (bx1 - bx0) * (i + 0.5) / 8
        if abs(cx - 0.5 * w) > 0.09 * w:
            d.rectangle([cx - 0.011 * w, by0, cx + 0.011 * w, ground], fill=(176, 36, 30))
            d.rectangle([cx - 0.016 * w, ground - 0.02 * h, cx + 0.016 * w, ground], fill=(120, 110, 100))
    d.rectangle([bx0 - 0.02 * w, ground - 0.012 * h, bx1 + 0.02 * w, ground + 0.01 * h], fill=(140, 128, 116))
    _hall_roof(d, w, h, 0.07 * w, 0.93 * w, 0.43 * h, 0.545 * h, rng)
    plaque(d, 0.5 * w, 0.645 * h, 0.18 * w, "穗城會館")

    strings = [((-0.02 * w, 0.05 * h), (0.5 * w, 0.16 * h), (1.02 * w, 0.05 * h)),
               ((-0.02 * w, 0.19 * h), (0.5 * w, 0.27 * h), (1.02 * w, 0.19 * h))]
    lanterns = []
    for n, (p0, p1, p2) in enumerate(strings):
        curve = quad_curve(p0, p1, p2, 200)
        d.line(curve, fill=(40, 30, 30), width=max(1, int(0.002 * h)))
        count = 11 - 2 * n
        for i in range(count):
            x, y = curve[int((i + 0.5) / count * 200)]
            if n == 1 and abs(x - 0.5 * w) < 0.2 * w:
                continue  # the banner hangs there
            lanterns.append((x, y + 0.055 * h * (1 + n * 0.2), 0.035 * h * (1 + n * 0.25)))
    img = glow(img, lambda g, k: [g.ellipse(box(x * k, y * k, r * 1.9 * k), fill=(170, 70, 20)) for x, y,
                                  r in lanterns],
               radius=0.03 * h)
    d = ImageDraw.Draw(img)
    for i, (x, y, r) in enumerate(lanterns):
        lantern(d, x, y, r, glyph="福" if i % 3 == 1 else None)

    banner_y = quad_curve(*strings[1], 200)[100][1]
    d.rectangle([0.32 * w, banner_y, 0.68 * w, banner_y + 0.085 * h], fill=(196, 22, 30), outline=GOLD,
                width=max(2, int(0.004 * h)))
    text_center(d, (0.5 * w, banner_y + 0.0425 * h), "元宵節快樂", font("cjk-serif", int(0.06 * h)), (255, 214, 90))
    _people(d, w, h, rng, 9)
    return img


def _coil(d: ImageDraw.ImageDraw, cx: float, top: float, length: float, radius: float, shade: float,
          rng: random.Random) -> list[tuple[float, float]]:
    """A hanging incense coil: a cone of spiral turns widening downwards; returns the lit tip's position."""
    cord = tuple(int(c * shade) for c in (120, 90, 50))
    d.line([(cx, 0), (cx, top)], fill=cord, width=max(1, int(radius * 0.02)))
    turns = 16
    for i in range(turns):
        t = (i + 1) / turns
        ry = radius * 0.18 * t
        y = top + length * t
        colour = tuple(int(c * shade) for c in (150 - i * 2, 100 - i * 2, 52))
        d.ellipse(box(cx, y, radius * t, ry), outline=colour, width=max(1, int(radius * 0.035)))
    for k in (-1, 1):  # hanging frame wires
        d.line([(cx, top), (cx + k * radius, top + length)], fill=cord, width=max(1, int(radius * 0.01)))
    tag_w, tag_h = radius * 0.35, radius * 0.85
    tag_top = top + length + radius * 0.2
    d.line([(cx, top + length), (cx, tag_top)], fill=cord, width=1)
    d.rectangle([cx - tag_w / 2, tag_top, cx + tag_w / 2, tag_top + tag_h],
                fill=tuple(int(c * shade) for c in (200, 30, 30)))
    fnt = font("cjk-serif", max(8, int(tag_w * 0.7)))
    for j, ch in enumerate("平安"):
        text_center(d, (cx, tag_top + tag_h * (0.3 + 0.4 * j)), ch, fnt, tuple(int(c * shade) for c in GOLD))
    angle = rng.random() * math.tau
    return [(cx + radius * math.cos(angle), top + length + radius * 0.18 * math.sin(angle))]


def _altar(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """Red altar table with a bronze incense urn full of sticks and two candles."""
    top = 0.78 * h
    d.rectangle([0.12 * w, top, 0.88 * w, top + 0.03 * h], fill=(150, 30, 24), outline=GOLD,
                width=max(1, int(0.003 * h)))
    d.rectangle([0.16 * w, top + 0.03 * h, 0.84 * w, h], fill=(110, 22, 18))
    for x in (0.3 * w, 0.5 * w, 0.7 * w):
        d.rectangle(box(x, top + 0.12 * h, 0.07 * w, 0.06 * h), outline=GOLD, width=max(1, int(0.003 * h)))
    urn_y = top - 0.05 * h
    for i in range(25):  # incense sticks
        x = 0.5 * w + (i - 12) * 0.006 * w
        d.line([(x, urn_y), (x + (i - 12) * 0.002 * w, urn_y - 0.1 * h)], fill=(180, 60, 40),
               width=max(1, int(0.002 * h)))
    d.chord(box(0.5 * w, urn_y, 0.11 * w, 0.06 * h), 0, 180, fill=(120, 90, 40))
    d.rectangle([0.39 * w, urn_y - 0.012 * h, 0.61 * w, urn_y + 0.004 * h], fill=(150, 115, 50))
    for x in (0.47 * w, 0.53 * w):
        d.rectangle([x - 0.008 * w, urn_y + 0.05 * h, x + 0.008 * w, top], fill=(100, 70, 30))
    for x in (0.24 * w, 0.76 * w):  # candles
        d.rectangle([x - 0.012 * w, top - 0.09 * h, x + 0.012 * w, top], fill=(220, 40, 30))
        d.ellipse(box(x, top - 0.1 * h, 0.006 * w, 0.012 * h), fill=(255, 210, 90))


def incense_coils(w: int, h: int) -> Image.Image:
    """Vía Bà Thiên Hậu: incense coils hanging under the roof of Tuệ Thành Hội Quán, light from the skylight."""
    rng = random.Random(2303)
    img = vertical_gradient((w, h), (52, 22, 16), (24, 10, 8))
    d = ImageDraw.Draw(img)
    d.rectangle([0.3 * w, 0, 0.7 * w, 0.06 * h], fill=(255, 236, 190))  # skylight
    for y in (0.07 * h, 0.16 * h):
        d.rectangle([0, y, w, y + 0.025 * h], fill=(70, 30, 18))
        d.line([(0, y + 0.025 * h), (w, y + 0.025 * h)], fill=GOLD, width=max(1, int(0.003 * h)))
    shafts = Image.new("L", (w, h), 0)
    sd = ImageDraw.Draw(shafts)
    sd.polygon([(0.3 * w, 0.06 * h), (0.7 * w, 0.06 * h), (0.95 * w, h), (0.15 * w, h)], fill=70)
    sd.polygon([(0.42 * w, 0.06 * h), (0.58 * w, 0.06 * h), (0.7 * w, h), (0.35 * w, h)], fill=60)
    shafts = shafts.filter(ImageFilter.GaussianBlur(0.03 * w))
    img = Image.composite(Image.new("RGB", (w, h), (255, 220, 160)), img, shafts)
    d = ImageDraw.Draw(img)
    tips = []
    layers = [(0.55, 0.09, 9), (0.8, 0.13, 6), (1.0, 0.19, 4)]  # (shade, coil radius, count): far → near
    for shade, radius, count in layers:
        for i in range(count):
            cx = (i + 0.5 + (rng.random() - 0.5) * 0.5) * w / count
            top = (0.22 + rng.random() * 0.16 + (1 - shade) * 0.1) * h
            tips += _coil(d, cx, top, radius * h * 1.1, radius * w * 0.9, shade, rng)
    img = glow(img, lambda g, k: [g.ellipse(box(x * k, y * k, 0.01 * h * k), fill=(255, 120, 30)) for x, y in tips],
               radius=0.008 * h)
    _altar(ImageDraw.Draw(img), w, h)
    smoke = Image.new("L", (w, h), 0)
    sm = ImageDraw.Draw(smoke)
    for x, y in tips:  # rising smoke: a wandering line from every lit tip
        pts = [(x, y)]
        for step in range(40):
            px, py = pts[-1]
            pts.append((px + math.sin(step * 0.4 + x) * 0.006 * w, py - 0.012 * h))
        sm.line(pts, fill=90, width=max(2, int(0.004 * w)))
    smoke = smoke.filter(ImageFilter.GaussianBlur(0.004 * w))
    return Image.composite(Image.new("RGB", (w, h), (200, 190, 180)), img, smoke)


def mid_autumn(w: int, h: int) -> Image.Image:
    """Tết Trung Thu: star and carp lanterns under the full moon beside Nghĩa An Hội Quán (flat colours, PNG)."""
    rng = random.Random(1508)
    img = vertical_gradient((w, h), (16, 24, 70), (60, 40, 96), steps=7)
    d = ImageDraw.Draw(img)
    d.ellipse(box(0.22 * w, 0.24 * h, 0.15 * h), fill=(255, 226, 140))
    d.ellipse(box(0.22 * w, 0.24 * h, 0.12 * h), fill=(255, 236, 170))
    d.rectangle([0, 0.8 * h, w, h], fill=(40, 24, 30))
    d.rectangle([0.52 * w, 0.55 * h, w, 0.82 * h], fill=(112, 30, 26))
    d.rectangle([0.7 * w, 0.68 * h, 0.82 * w, 0.82 * h], fill=(255, 196, 100))
    _hall_roof(d, w, h, 0.45 * w, 1.08 * w, 0.4 * h, 0.54 * h, rng)
    plaque(d, 0.76 * w, 0.62 * h, 0.16 * w, "義安會館")
    palette = [(230, 40, 40), (250, 200, 40), (240, 110, 30), (220, 60, 120)]
    for i in range(7):  # star lanterns on sticks, carried by children out of frame
        cx = (0.08 + i * 0.13) * w
        cy = (0.5 + 0.12 * math.sin(i * 1.3)) * h
        r = (0.06 + rng.random() * 0.03) * h
        d.line([(cx, cy), (cx - 0.05 * w, h)], fill=(90, 60, 30), width=max(2, int(0.004 * h)))
        d.polygon(star(cx, cy, r, r * 0.45), fill=palette[i % 4], outline=(255, 240, 200))
        d.ellipse(box(cx, cy, r * 0.16), fill=(255, 250, 210))
        for t in range(3):
            d.line([(cx + (t - 1) * r * 0.15, cy + r * 0.5), (cx + (t - 1) * r * 0.3, cy + r * 1.2)],
                   fill=palette[(i + 1) % 4], width=max(2, int(0.005 * h)))
    cx, cy = 0.55 * w, 0.22 * h  # carp lantern
    d.ellipse(box(cx, cy, 0.1 * w, 0.05 * h), fill=(245, 120, 40), outline=(255, 230, 150), width=3)
    d.polygon([(cx + 0.09 * w, cy), (cx + 0.16 * w, cy - 0.06 * h), (cx + 0.15 * w, cy + 0.06 * h)], fill=(240, 80, 40))
    d.ellipse(box(cx - 0.065 * w, cy - 0.01 * h, 0.008 * w), fill=(20, 20, 20))
    d.line([(0.4 * w, 0), (0.4 * w, 0.35 * h)], fill=(90, 60, 30), width=max(1, int(0.003 * h)))
    lantern(d, 0.4 * w, 0.42 * h, 0.06 * h, glyph="月")
    text_center(d, (0.22 * w, 0.24 * h), "中秋", font("cjk-serif", int(0.1 * h)), (200, 60, 40))
    return img
