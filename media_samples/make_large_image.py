"""Generate the deep-zoom sample: a 6000×4000 (24 MP) ornamental lantern panel, not committed to the repository.

    .venv/bin/python media_samples/make_large_image.py

Writes media_samples/generated/tue-thanh-lantern-panel.jpg in a few seconds, deterministically (fixed seed), so the
same bytes come out every time. The fine detail (key-fret border, gold flecks, hair-line medallion, micro-text)
only shows when zooming in, which is what the deep-zoom viewer needs to exercise.
"""
from __future__ import annotations

import math
import os
import random
import sys
import time

from PIL import Image, ImageDraw

from samplelib import HERE, font, glow, make_exif, save_jpeg
from scenes_hoa import GOLD, box, lantern, plaque

W, H = 6000, 4000
OUT = HERE / "generated" / "tue-thanh-lantern-panel.jpg"
MICRO_TEXT = "天增歲月人增壽 · 春滿乾坤福滿門 · 萬象更新 · 元宵節快樂 · 穗城會館 · "


def key_fret(d: ImageDraw.ImageDraw, x: float, y: float, unit: float, colour) -> None:
    """One square-spiral (回紋) unit with its top-left corner at (x, y)."""
    pts = [(0, 1), (0, 0), (1, 0), (1, 0.8), (0.2, 0.8), (0.2, 0.2), (0.8, 0.2), (0.8, 0.6), (0.4, 0.6), (0.4, 0.4)]
    d.line([(x + px * unit, y + py * unit) for px, py in pts], fill=colour, width=max(2, int(unit * 0.07)),
           joint="curve")


def fret_border(d: ImageDraw.ImageDraw, margin: float, unit: float) -> None:
    d.rectangle([margin - unit * 0.3, margin - unit * 0.3, W - margin + unit * 0.3, H - margin + unit * 0.3],
                outline=GOLD, width=6)
    n = int((W - 2 * margin) // unit)
    for i in range(n):
        key_fret(d, margin + i * unit, margin, unit * 0.9, GOLD)
        key_fret(d, margin + i * unit, H - margin - unit, unit * 0.9, GOLD)
    m = int((H - 2 * margin - 2 * unit) // unit)
    for j in range(m):
        key_fret(d, margin, margin + unit + j * unit, unit * 0.9, GOLD)
        key_fret(d, W - margin - unit, margin + unit + j * unit, unit * 0.9, GOLD)


def cloud(d: ImageDraw.ImageDraw, cx: float, cy: float, size: float, colour) -> None:
    """An auspicious-cloud (祥雲) motif: three inward spirals on a curling base line."""
    width = max(2, int(size * 0.04))
    for dx, dy, r in ((-0.45, 0.1, 0.32), (0.0, -0.15, 0.4), (0.45, 0.1, 0.32)):
        pts = []
        for k in range(48):
            t = k / 47
            a = t * 2.6 * math.pi
            rr = r * size * (1 - 0.8 * t)
            pts.append((cx + dx * size + rr * math.cos(a), cy + dy * size + rr * math.sin(a)))
        d.line(pts, fill=colour, width=width)
    d.arc(box(cx, cy + 0.45 * size, 0.9 * size, 0.25 * size), 180, 360, fill=colour, width=width)


def medallion(d: ImageDraw.ImageDraw, cx: float, cy: float, r_in: float, r_out: float) -> None:
    """Hair-line rings and rays: invisible as a whole, crisp when zoomed in."""
    r = r_in
    k = 0
    while r < r_out:
        d.ellipse(box(cx, cy, r), outline=GOLD if k % 3 else (250, 220, 140), width=2)
        r += 14
        k += 1
    for i in range(360):
        a = math.radians(i)
        d.line([(cx + r_in * math.cos(a), cy + r_in * math.sin(a)),
                (cx + r_out * math.cos(a), cy + r_out * math.sin(a))],
               fill=(200, 140, 50), width=1)


def panel() -> Image.Image:
    rng = random.Random(20261122)
    img = Image.new("RGB", (W, H), (128, 16, 20))
    d = ImageDraw.Draw(img)
    for _ in range(60_000):  # gold-leaf flecks in the lacquer
        x, y, r = rng.uniform(0, W), rng.uniform(0, H), rng.uniform(0.6, 2.4)
        d.ellipse(box(x, y, r), fill=(200 + rng.randint(0, 50), 150 + rng.randint(0, 50), 60))
    medallion(d, W / 2, H / 2, 500, 1500)
    for row in range(9):  # a field of clouds, skipping the medallion
        for col in range(14):
            cx = 420 + col * 400 + (200 if row % 2 else 0) + rng.uniform(-30, 30)
            cy = 420 + row * 400 + rng.uniform(-30, 30)
            if math.hypot(cx - W / 2, cy - H / 2) > 1550 and 350 < cx < W - 350 and 350 < cy < H - 350:
                cloud(d, cx, cy, rng.uniform(90, 130), (226, 170, 70) if (row + col) % 3 else (240, 214, 150))
    lanterns = []
    while len(lanterns) < 36:
        x, y, r = rng.uniform(500, W - 500), rng.uniform(500, H - 600), rng.uniform(60, 150)
        clear = all(math.hypot(x - a, y - b) > r + c + 60 for a, b, c in lanterns)
        if clear and math.hypot(x - W / 2, y - H / 2) > 1600 + r:
            lanterns.append((x, y, r))
    img = glow(img, lambda g, k: [g.ellipse(box(x * k, y * k, r * 1.8 * k), fill=(150, 70, 20)) for x, y,
                                  r in lanterns],
               radius=80)
    d = ImageDraw.Draw(img)
    for x, y, r in lanterns:
        lantern(d, x, y, r, glyph="福")
    plaque(d, W / 2, H / 2, 2200, "穗城會館")
    fret_border(d, 120, 110)
    micro = font("cjk-serif", 26)
    line = MICRO_TEXT * (int((W - 520) / micro.getlength(MICRO_TEXT)) + 1)
    for y in (300, H - 330):  # micro-text bands inside the border
        d.text((260, y), line[: int((W - 520) / 26)], font=micro, fill=(240, 210, 140))
    caption = ("Tranh minh họa độ phân giải cao do dự án tạo (không phải ảnh chụp) · "
               "High-resolution illustration generated by the project (not a photograph)")
    d.text((W / 2, H - 420), caption, font=font("sans", 40), fill=(250, 226, 170), anchor="mm")
    return img


def main() -> int:
    started = time.perf_counter()
    image = panel()
    exif = make_exif("Illustration generated by the project (not a photograph): lantern panel with the name of "
                     "Tue Thanh Assembly Hall, for deep zoom", "2026:11:21 10:00:00", place="tue-thanh-hoi-quan")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    partial = OUT.with_name(OUT.name + ".partial")
    save_jpeg(image, partial, exif, quality=88)
    with open(partial, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, OUT)  # never leave a half-written image under the final name
    print(f"{OUT} ({W}×{H}, {OUT.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
