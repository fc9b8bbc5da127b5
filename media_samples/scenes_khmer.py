"""Stylised illustrations for the Khmer samples: pagoda at dusk, Ngo boat race, sand mountains, Sene Dolta offerings."""
from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw, ImageFilter

from samplelib import glow, quad_curve, vertical_gradient
from scenes_hoa import box

SILHOUETTE = {"roof": (44, 20, 44), "roof2": (52, 26, 52), "trim": (110, 60, 90), "wall": (44, 20, 44),
              "column": (44, 20, 44), "window": (250, 180, 90)}
COLOURED = {"roof": (196, 72, 36), "roof2": (40, 110, 80), "trim": (232, 180, 60), "wall": (245, 226, 190),
            "column": (232, 196, 130), "window": (120, 60, 30)}


def _hook(d: ImageDraw.ImageDraw, x: float, y: float, size: float, direction: int, colour, width: int) -> None:
    """A chovear-like finial: a thin horn rising from a ridge end and curling outwards."""
    pts = quad_curve((x, y), (x + direction * size * 0.1, y - size), (x + direction * size * 0.55, y - size * 0.8), 16)
    d.line(pts, fill=colour, width=width)


def khmer_pagoda(d: ImageDraw.ImageDraw, cx: float, base: float, width: float, height: float, p: dict) -> None:
    """Front elevation of a Khmer vihear: raised base, columned hall, three stacked roofs, a spire behind."""
    lw = max(1, int(height * 0.006))
    spire_h = height * 1.05
    tiers = [(0.2, 0.09), (0.16, 0.07), (0.12, 0.06), (0.085, 0.05), (0.05, 0.06)]
    y = base - height * 0.55
    for k, (half, th) in enumerate(tiers):  # stupa-like spire rising behind the roofs
        d.rectangle([cx - half * width * 0.5, y - th * spire_h, cx + half * width * 0.5, y],
                    fill=p["roof2"] if k % 2 else p["roof"])
        y -= th * spire_h
    d.polygon([(cx - 0.02 * width, y), (cx + 0.02 * width, y), (cx, y - 0.35 * spire_h)], fill=p["trim"])

    d.rectangle([cx - width * 0.5, base - height * 0.08, cx + width * 0.5, base], fill=p["column"])
    d.polygon([(cx - width * 0.12, base), (cx + width * 0.12, base), (cx + width * 0.09, base - height * 0.08),
               (cx - width * 0.09, base - height * 0.08)], fill=p["trim"])
    hall_top = base - height * 0.4
    d.rectangle([cx - width * 0.42, hall_top, cx + width * 0.42, base - height * 0.08], fill=p["wall"])
    for i in range(9):
        x = cx - width * 0.4 + i * width * 0.1
        d.rectangle([x - width * 0.012, hall_top, x + width * 0.012, base - height * 0.08], fill=p["column"])
        if i < 8:
            wx = x + width * 0.05
            d.rounded_rectangle([wx - width * 0.018, hall_top + height * 0.1, wx + width * 0.018,
                                 hall_top + height * 0.24],
                                radius=width * 0.018, fill=p["window"])
    roofs = [(0.5, 0.13), (0.38, 0.15), (0.26, 0.17)]  # (half width, height) of each stacked roof
    y = hall_top
    for k, (half, rh) in enumerate(roofs):
        top_half = half * 0.55
        pts = [(cx - half * width, y), (cx - top_half * width, y - rh * height),
               (cx + top_half * width, y - rh * height), (cx + half * width, y)]
        d.polygon(pts, fill=p["roof"] if k % 2 == 0 else p["roof2"])
        d.line([pts[0], pts[3]], fill=p["trim"], width=lw * 2)
        d.line([pts[1], pts[2]], fill=p["trim"], width=lw * 2)
        for side in (-1, 1):  # naga eave ends and ridge finials
            _hook(d, cx + side * half * width, y, height * 0.07, side, p["trim"], lw * 2)
            _hook(d, cx + side * top_half * width, y - rh * height, height * 0.09, side, p["trim"], lw * 2)
        y -= rh * height * 0.75


def sugar_palm(d: ImageDraw.ImageDraw, x: float, ground: float, tall: float, colour, rng: random.Random) -> None:
    """Thốt nốt (sugar palm): a thin trunk and a round crown of spiky fan leaves."""
    top = (x + tall * 0.05, ground - tall)
    d.line(quad_curve((x, ground), (x - tall * 0.03, ground - tall * 0.5), top, 12), fill=colour,
           width=max(2, int(tall * 0.025)))
    for i in range(26):
        a = -200 + i * 220 / 25 + rng.uniform(-4, 4)
        r = tall * rng.uniform(0.14, 0.2)
        tip = [(top[0] + r * math.cos(math.radians(a + da)), top[1] + r * math.sin(math.radians(a + da)))
               for da in (-4, 4)]
        d.polygon([top] + tip, fill=colour)
    d.ellipse(box(*top, tall * 0.06), fill=colour)


def pagoda_dusk(w: int, h: int) -> Image.Image:
    """Chùa Chantarangsay in silhouette against a dusk sky, sugar palms either side (portrait)."""
    rng = random.Random(1970)
    img = vertical_gradient((w, h), (58, 40, 110), (250, 150, 80))
    img = glow(img, lambda g, k: g.ellipse(box(0.74 * w * k, 0.5 * h * k, 0.14 * w * k), fill=(160, 90, 30)),
               radius=0.06 * h)
    d = ImageDraw.Draw(img)
    d.ellipse(box(0.74 * w, 0.5 * h, 0.07 * w), fill=(255, 214, 140))
    for _ in range(6):  # birds
        x, y, s = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.35) * h, rng.uniform(0.008, 0.015) * w
        d.line([(x - s, y - s * 0.4), (x, y), (x + s, y - s * 0.4)], fill=SILHOUETTE["roof"],
               width=max(2, int(s * 0.2)))
    ground = 0.86 * h
    khmer_pagoda(d, 0.5 * w, ground, 0.86 * w, 0.5 * h, SILHOUETTE)
    d.rectangle([0, ground, w, h], fill=SILHOUETTE["roof"])
    for x, tall in ((0.06 * w, 0.55 * h), (0.93 * w, 0.48 * h), (0.985 * w, 0.36 * h)):
        sugar_palm(d, x, ground, tall, SILHOUETTE["roof"], rng)
    return img


def _rower(d: ImageDraw.ImageDraw, x: float, y: float, s: float, shirt, phase: float) -> None:
    d.ellipse(box(x, y - s * 1.7, s * 0.32), fill=(70, 45, 30))
    d.rounded_rectangle([x - s * 0.35, y - s * 1.4, x + s * 0.35, y - s * 0.3], radius=s * 0.15, fill=shirt)
    ang = math.radians(60 + 25 * math.sin(phase))
    tip = (x - math.cos(ang) * s * 2.6, y + math.sin(ang) * s * 1.6)
    d.line([(x + s * 0.3, y - s * 1.2), tip], fill=(120, 80, 40), width=max(1, int(s * 0.12)))
    d.ellipse(box(*tip, s * 0.22, s * 0.1), fill=(120, 80, 40))


def ngo_boat(d: ImageDraw.ImageDraw, x0: float, x1: float, y: float, depth: float, hull, shirt, rng: random.Random):
    """A long Ngo racing boat, bow to the right with a naga head; rowers in the team's colour."""
    length = x1 - x0
    s = 0.018 * length  # rower size follows the boat's size
    top = quad_curve((x0, y - 0.06 * length * depth), (x0 + length / 2, y + 0.004 * length),
                     (x1, y - 0.07 * length * depth))
    bottom = quad_curve((x1 - 0.02 * length, y - 0.01 * length), (x0 + length / 2, y + 0.05 * length * depth),
                        (x0 + 0.03 * length, y - 0.012 * length))
    d.polygon(top + bottom, fill=hull)
    d.line(top, fill=(240, 200, 80), width=max(2, int(0.004 * length)))
    head = top[-1]
    d.polygon([head, (head[0] + 0.04 * length, head[1] - 0.03 * length),
               (head[0] + 0.015 * length, head[1] + 0.01 * length)],
              fill=(240, 200, 80))
    d.ellipse(box(head[0] + 0.022 * length, head[1] - 0.012 * length, 0.004 * length), fill=(30, 20, 20))
    count = 22
    for i in range(count):
        t = 0.1 + 0.8 * i / (count - 1)
        px, py = top[int(t * (len(top) - 1))]
        _rower(d, px, py + s * 0.4, s, shirt, i * 0.5 + rng.random())
    for _ in range(30):  # splashes along the hull
        t = rng.uniform(0.05, 0.95)
        px, py = bottom[int(t * (len(bottom) - 1))]
        d.ellipse(box(px - s * 1.2, py + rng.uniform(0, s * 0.5), s * rng.uniform(0.2, 0.5), s * 0.12),
                  fill=(230, 240, 245))


def boat_race(w: int, h: int) -> Image.Image:
    """Ok Om Bok: Ngo boats racing on a river in the late afternoon, the full moon rising."""
    rng = random.Random(1510)
    horizon = 0.42 * h
    img = vertical_gradient((w, h), (80, 120, 180), (250, 196, 130))
    water = vertical_gradient((w, h - int(horizon)), (120, 140, 150), (30, 62, 92))
    img.paste(water, (0, int(horizon)))
    d = ImageDraw.Draw(img)
    d.ellipse(box(0.82 * w, 0.16 * h, 0.05 * h), fill=(255, 246, 222))
    d.rectangle([0, horizon - 0.05 * h, w, horizon], fill=(50, 80, 50))
    for i in range(60):  # trees on the far bank
        x = i * w / 59
        d.ellipse(box(x, horizon - 0.07 * h, rng.uniform(0.012, 0.025) * w, rng.uniform(0.03, 0.05) * h),
                  fill=(40, 70, 44))
    khmer_pagoda(d, 0.2 * w, horizon - 0.04 * h, 0.12 * w, 0.12 * h, COLOURED)
    for i in range(400):  # spectators
        x, y = rng.uniform(0, w), horizon - rng.uniform(0, 0.03 * h)
        d.ellipse(box(x, y, 0.0025 * w),
                  fill=rng.choice([(200, 40, 40), (240, 200, 60), (250, 250, 250), (60, 90, 200)]))
    for i in range(14):  # bunting along the bank
        x = (i + 0.5) * w / 14
        d.line([(x, horizon), (x, horizon - 0.12 * h)], fill=(90, 70, 50), width=max(1, int(0.002 * h)))
        d.polygon([(x, horizon - 0.12 * h), (x + 0.03 * w, horizon - 0.105 * h), (x, horizon - 0.09 * h)],
                  fill=[(220, 40, 40), (40, 80, 200), (250, 210, 60)][i % 3])
    for _ in range(900):  # ripples
        y = rng.uniform(horizon + 0.01 * h, h)
        depth = (y - horizon) / (h - horizon)
        x = rng.uniform(0, w)
        ln = (0.01 + depth * 0.04) * w
        d.line([(x, y), (x + ln, y)], fill=(170, 190, 200), width=max(1, int(depth * 0.004 * h)))
    boats = [(0.58, 0.35, (160, 40, 40), (250, 210, 60)), (0.72, 0.6, (30, 90, 60), (230, 60, 50)),
             (0.9, 0.9, (40, 50, 120), (250, 250, 250))]
    for k, (yf, depth, hull, shirt) in enumerate(boats):
        length = (0.45 + 0.4 * depth) * w
        x0 = (0.05 + 0.2 * (2 - k) * 0.3) * w + rng.uniform(-0.02, 0.02) * w
        ngo_boat(d, x0, min(x0 + length, 1.08 * w), yf * h, depth, hull, shirt, rng)
    return img


def sand_mountains(w: int, h: int) -> Image.Image:
    """Chol Chnam Thmay: sand mountains with pennants in the courtyard of a Khmer pagoda (daylight)."""
    rng = random.Random(1404)
    img = vertical_gradient((w, h), (90, 150, 220), (200, 226, 245))
    clouds = Image.new("L", (w, h), 0)
    cd = ImageDraw.Draw(clouds)
    for _ in range(14):
        x, y = rng.uniform(0, w), rng.uniform(0.05, 0.3) * h
        for _ in range(5):
            cd.ellipse(box(x + rng.uniform(-0.06, 0.06) * w, y + rng.uniform(-0.02, 0.02) * h, 0.05 * w, 0.025 * h),
                       fill=220)
    img = Image.composite(Image.new("RGB", (w, h), "white"), img, clouds.filter(ImageFilter.GaussianBlur(0.01 * w)))
    d = ImageDraw.Draw(img)
    ground = 0.58 * h
    khmer_pagoda(d, 0.5 * w, ground, 0.7 * w, 0.5 * h, COLOURED)
    for x, tall in ((0.06 * w, 0.5 * h), (0.95 * w, 0.45 * h)):
        sugar_palm(d, x, ground, tall, (50, 80, 50), rng)
    d.rectangle([0, ground, w, h], fill=(226, 206, 160))
    mounds = [(0.5, 0.93, 0.13, 0.34), (0.2, 0.8, 0.07, 0.17), (0.8, 0.8, 0.07, 0.17), (0.3, 1.02, 0.08, 0.2),
              (0.7, 1.02, 0.08, 0.2)]
    pennant = [(230, 40, 40), (250, 210, 40), (40, 120, 210), (240, 240, 240), (60, 170, 80)]
    for mx, my, half, tall in sorted(mounds, key=lambda m: m[1]):
        base_y, top = my * h, (mx * w, my * h - tall * h)
        left, right = (mx * w - half * w, base_y), (mx * w + half * w, base_y)
        d.polygon(quad_curve(left, (mx * w - half * w * 0.3, base_y - tall * h * 0.7), top) +
                  quad_curve(top, (mx * w + half * w * 0.3, base_y - tall * h * 0.7), right), fill=(214, 186, 130))
        d.polygon([top] + quad_curve(top, (mx * w + half * w * 0.3, base_y - tall * h * 0.7), right)
                  + [(mx * w, base_y)],
                  fill=(190, 160, 108))
        stick = (top[0], top[1] - tall * h * 0.35)
        d.line([top, stick], fill=(110, 80, 50), width=max(2, int(0.004 * h)))
        for j in range(4):  # pennants down the stick
            y = stick[1] + j * tall * h * 0.07
            d.polygon([(stick[0], y), (stick[0] + half * w * 0.35, y + tall * h * 0.025),
                       (stick[0], y + tall * h * 0.05)],
                      fill=pennant[(j + int(mx * 10)) % 5])
        if tall > 0.3:  # paper umbrella on the central mountain
            d.chord(box(stick[0], stick[1], half * w * 0.5, tall * h * 0.12), 180, 360, fill=(240, 200, 60))
    return img


def sene_dolta_offerings(w: int, h: int) -> Image.Image:
    """Sene Dolta: offering trays of rice balls, fruit and cakes with candles and incense in a pagoda hall."""
    rng = random.Random(2908)
    img = vertical_gradient((w, h), (140, 70, 30), (70, 30, 20))
    d = ImageDraw.Draw(img)
    for i in range(5):  # arched windows letting in light
        x = (i + 0.5) * w / 5
        d.rounded_rectangle([x - 0.05 * w, 0.12 * h, x + 0.05 * w, 0.5 * h], radius=0.05 * w, fill=(250, 210, 140))
        d.rounded_rectangle([x - 0.05 * w, 0.12 * h, x + 0.05 * w, 0.5 * h], radius=0.05 * w, outline=(200, 150, 50),
                            width=max(2, int(0.006 * h)))
    table = 0.7 * h
    d.rectangle([0.04 * w, table, 0.96 * w, h], fill=(250, 246, 236))
    d.rectangle([0.04 * w, table, 0.96 * w, table + 0.03 * h], fill=(230, 170, 40))
    for i in range(24):  # lotus-petal scallops and a diamond band on the cloth
        x = 0.04 * w + (i + 0.5) * 0.92 * w / 24
        d.chord(box(x, table + 0.03 * h, 0.92 * w / 48, 0.04 * h), 0, 180, fill=(230, 170, 40))
        d.polygon([(x, table + 0.12 * h), (x + 0.012 * w, table + 0.15 * h), (x, table + 0.18 * h),
                   (x - 0.012 * w, table + 0.15 * h)], fill=(200, 60, 40))
    d.rectangle([0.04 * w, table + 0.22 * h, 0.96 * w, table + 0.235 * h], fill=(230, 170, 40))
    trays = [0.16, 0.38, 0.62, 0.84]
    for i, tx in enumerate(trays):
        cx, cy = tx * w, table - 0.01 * h
        d.ellipse(box(cx, cy, 0.1 * w, 0.025 * h), fill=(200, 150, 50))
        if i % 2 == 0:  # bay ben rice balls piled in a pyramid
            for row in range(4):
                for j in range(4 - row):
                    bx = cx + (j - (3 - row) / 2) * 0.04 * w
                    d.ellipse(box(bx, cy - 0.02 * h - row * 0.05 * h, 0.022 * w), fill=(252, 252, 246),
                              outline=(210, 210, 200))
        else:  # bananas and num ansom cakes wrapped in leaves
            for j in range(5):
                d.arc(box(cx - 0.03 * w + j * 0.015 * w, cy - 0.06 * h, 0.05 * w, 0.07 * h), 20, 160,
                      fill=(245, 210, 50),
                      width=max(3, int(0.014 * h)))
            for j in range(3):
                bx = cx - 0.05 * w + j * 0.05 * w
                d.rounded_rectangle([bx - 0.015 * w, cy - 0.16 * h, bx + 0.015 * w, cy - 0.08 * h], radius=0.01 * w,
                                    fill=(70, 130, 60))
    candles = [(0.05 + 0.9 * i / 9) * w for i in range(10)]
    for x in candles:
        d.rectangle([x - 0.006 * w, table - 0.09 * h, x + 0.006 * w, table], fill=(250, 220, 120))
    img = glow(img, lambda g, k: [g.ellipse(box(x * k, (table - 0.1 * h) * k, 0.02 * w * k), fill=(200, 120, 30))
                                  for x in candles], radius=0.02 * h)
    d = ImageDraw.Draw(img)
    for x in candles:
        d.ellipse(box(x, table - 0.1 * h, 0.004 * w, 0.012 * h), fill=(255, 230, 150))
    for i in range(3):  # lotus buds in vases
        x = (0.27 + i * 0.23) * w
        d.polygon([(x - 0.02 * w, table), (x + 0.02 * w, table), (x + 0.012 * w, table - 0.06 * h),
                   (x - 0.012 * w, table - 0.06 * h)],
                  fill=(180, 140, 60))
        for j in (-1, 0, 1):
            tip = (x + j * 0.025 * w, table - 0.2 * h - rng.uniform(0, 0.03) * h)
            d.line([(x, table - 0.06 * h), tip], fill=(60, 120, 60), width=max(2, int(0.004 * h)))
            d.ellipse(box(tip[0], tip[1], 0.012 * w, 0.022 * h), fill=(240, 140, 170))
    return img
