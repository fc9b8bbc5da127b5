"""Document pages with real text in Khmer, Cham and Chinese, typeset with installed fonts (shaped by raqm)."""
from __future__ import annotations

import unicodedata

from PIL import Image, ImageDraw

from samplelib import cjk_runs, font, text_center, text_runs
from scenes_hoa import GOLD, box, lantern
from scenes_khmer import COLOURED, khmer_pagoda

PAGE = (1600, 2200)
PAPER, INK, RED = (250, 243, 224), (52, 38, 28), (176, 28, 32)


def _frame(d: ImageDraw.ImageDraw, colour=GOLD, inner=RED) -> None:
    w, h = PAGE
    d.rectangle([40, 40, w - 40, h - 40], outline=colour, width=14)
    d.rectangle([70, 70, w - 70, h - 70], outline=inner, width=4)
    for cx, cy in ((70, 70), (w - 70, 70), (70, h - 70), (w - 70, h - 70)):  # corner lotus buds
        for k in range(4):
            d.chord(box(cx, cy, 34), k * 90 + 20, k * 90 + 70, fill=inner)
        d.ellipse(box(cx, cy, 12), fill=colour)


def _footer(d: ImageDraw.ImageDraw, lines: list[str]) -> None:
    y = PAGE[1] - 170
    for line in lines:
        text_center(d, (PAGE[0] / 2, y), line, font("sans", 26), (110, 90, 70))
        y += 38


def khmer_greeting() -> Image.Image:
    """Khmer New Year card: 'សួស្តីឆ្នាំថ្មី' and the traditional greeting, with Vietnamese/English glosses."""
    img = Image.new("RGB", PAGE, PAPER)
    d = ImageDraw.Draw(img)
    _frame(d)
    cx = PAGE[0] / 2
    text_center(d, (cx, 300), "សួស្តីឆ្នាំថ្មី", font("khmer-muol", 150), RED, language="km")
    text_center(d, (cx, 480), "Chúc mừng năm mới · Happy New Year", font("sans", 40), INK)
    text_center(d, (cx, 620), "រីករាយបុណ្យចូលឆ្នាំថ្មី", font("khmer-serif", 96), INK, language="km")
    text_center(d, (cx, 760), "ប្រពៃណីជាតិ", font("khmer-serif", 96), INK, language="km")
    text_center(d, (cx, 890), "Vui đón Tết cổ truyền Chôl Chnăm Thmây của dân tộc", font("sans", 36), INK)
    text_center(d, (cx, 940), "Happy traditional New Year (Chol Chnam Thmay)", font("sans", 36), INK)
    khmer_pagoda(d, cx, 1560, 1000, 440, COLOURED)
    d.rectangle([160, 1560, PAGE[0] - 160, 1580], fill=GOLD)
    text_center(d, (cx, 1680), "វត្តចន្ទរង្សី", font("khmer", 80), RED, language="km")
    text_center(d, (cx, 1790), "Chùa Chantarangsay · Chantarangsay Pagoda", font("sans", 36), INK)
    _footer(d, ["Thiệp minh họa do dự án tạo; chữ Khmer in bằng phông Khmer OS Muol Light và Noto Khmer.",
                "Greeting card made by the project; Khmer typeset with Khmer OS Muol Light and Noto Khmer."])
    return img


def _cham_label(ch: str) -> str:
    """'ka' for U+AA06 CHAM LETTER KA: the Unicode name's last word, lower-cased."""
    return unicodedata.name(ch).rsplit(" ", 1)[-1].lower()


def cham_chart() -> Image.Image:
    """Akhar Cam chart: the script's name, its vowels, consonants and digits, labelled by Unicode name."""
    img = Image.new("RGB", PAGE, PAPER)
    d = ImageDraw.Draw(img)
    _frame(d, colour=(120, 60, 40), inner=(46, 110, 92))
    cx = PAGE[0] / 2
    text_center(d, (cx, 230), "ꨀꨇꩉ ꨌꩌ", font("cham-bold", 150), (120, 40, 30), language="cjm")
    text_center(d, (cx, 370), "akhar Cam · chữ Chăm · the Cham script", font("sans", 40), INK)
    gloss = "  =  Cam: người Chăm, tiếng Chăm · the Cham people, the Cham language"
    text_runs(d, (cx, 455), [("ꨌꩌ", font("cham", 40)), (gloss, font("sans", 32))], INK)

    def grid(chars: list[str], top: int, columns: int, size: int, labels: list[str]) -> int:
        cell_w = (PAGE[0] - 260) / columns
        cell_h = size * 2.1
        for i, (ch, label) in enumerate(zip(chars, labels)):
            x = 130 + (i % columns + 0.5) * cell_w
            y = top + (i // columns) * cell_h
            d.rounded_rectangle(box(x, y + size * 0.35, cell_w * 0.45, cell_h * 0.46), radius=12,
                                outline=(200, 180, 150), width=2)
            text_center(d, (x, y), ch, font("cham", size), INK, language="cjm")
            text_center(d, (x, y + size * 0.95), label, font("sans", int(size * 0.36)), (120, 60, 40))
        return int(top + ((len(chars) - 1) // columns + 1) * cell_h)

    d.text((130, 520), "Nguyên âm độc lập · Independent vowels", font=font("sans-bold", 34), fill=(46, 110, 92))
    vowels = [chr(c) for c in range(0xAA00, 0xAA06)]
    y = grid(vowels, 640, 6, 80, [_cham_label(v) for v in vowels])
    d.text((130, y - 40), "Phụ âm · Consonants", font=font("sans-bold", 34), fill=(46, 110, 92))
    consonants = [chr(c) for c in range(0xAA06, 0xAA29)]
    y = grid(consonants, y + 80, 7, 72, [_cham_label(c) for c in consonants])
    d.text((130, y - 40), "Chữ số · Digits", font=font("sans-bold", 34), fill=(46, 110, 92))
    digits = [chr(c) for c in range(0xAA50, 0xAA5A)]
    y = grid(digits, y + 80, 10, 64, [str(i) for i in range(10)])
    text_runs(d, (cx, y + 30), [("꩒꩐꩒꩖", font("cham-bold", 64)), ("  =  2026", font("sans-bold", 56))], (120, 40, 30))
    _footer(d, ["Nhãn La-tinh theo tên ký tự Unicode (khối Cham U+AA00–U+AA5F); bảng do dự án soạn,",
                "chưa được người Chăm thẩm định. Latin labels are the Unicode character names; compiled by",
                "the project, not yet reviewed by a Cham speaker. Typeset with Noto Sans Cham."])
    return img


def _vertical(d: ImageDraw.ImageDraw, cx: float, top: float, text: str, size: int, fill) -> None:
    for i, ch in enumerate(text):
        text_center(d, (cx, top + (i + 0.5) * size * 1.15), ch, font("cjk-serif", size), fill)


def hoa_plaque() -> Image.Image:
    """Page 1: the assembly hall's name 穗城會館 on a plaque, read right to left."""
    img = Image.new("RGB", PAGE, PAPER)
    d = ImageDraw.Draw(img)
    _frame(d)
    cx = PAGE[0] / 2
    d.rectangle([150, 360, PAGE[0] - 150, 760], fill=(110, 60, 30))
    d.rectangle([180, 390, PAGE[0] - 180, 730], fill=(20, 16, 14), outline=GOLD, width=10)
    for i, ch in enumerate("穗城會館"):  # right to left
        text_center(d, (PAGE[0] - 180 - (i + 0.5) * (PAGE[0] - 360) / 4, 560), ch, font("cjk-serif", 230), GOLD)
    lines = [("穗 Tuệ · 城 Thành · 會 Hội · 館 Quán", 38),
             ("Tuệ Thành Hội Quán — hội quán của người Hoa gốc Quảng Châu", 36),
             ("(穗城 “thành bông lúa” là tên gọi khác của Quảng Châu); đọc từ phải sang trái.", 34),
             ("Tue Thanh Assembly Hall — the hall of the Cantonese from Guangzhou", 36),
             ("(穗城 ‘city of rice ears’ is a name for Guangzhou); read from right to left.", 34)]
    y = 900
    for text, size in lines:
        text_runs(d, (cx, y), cjk_runs(text, size), INK)
        y += size * 1.9
    for i, x in enumerate((420, 800, 1180)):
        lantern(d, x, 1600, 120, glyph="福" if i == 1 else None)
    _footer(d, ["Trang 1/3 · Page 1 of 3 — chữ in bằng phông Noto Serif CJK TC, không phải bút tích, "
                "không chụp từ hoành phi thật.",
                "Typeset with Noto Serif CJK TC by the project: not handwriting and not a photograph of the real "
                "plaque."])
    return img


def hoa_couplets() -> Image.Image:
    """Page 2: a classic Spring Festival couplet with its horizontal scroll."""
    img = Image.new("RGB", PAGE, PAPER)
    d = ImageDraw.Draw(img)
    _frame(d)
    cx = PAGE[0] / 2
    d.rectangle([cx - 420, 150, cx + 420, 330], fill=RED)
    for i, ch in enumerate("萬象更新"):  # the horizontal scroll reads right to left, like the couplet order
        text_center(d, (cx + 315 - i * 210, 240), ch, font("cjk-serif", 140), (20, 14, 10))
    for x, text in ((PAGE[0] - 330, "天增歲月人增壽"), (330, "春滿乾坤福滿門")):
        d.rectangle([x - 110, 400, x + 110, 1480], fill=RED)
        _vertical(d, x, 430, text, 130, (20, 14, 10))
    d.rectangle([cx - 160, 700, cx + 160, 1020], fill=RED)
    text_center(d, (cx, 860), "福", font("cjk-serif", 260), GOLD)
    lines = ["Vế phải (đọc trước): 天增歲月人增壽 — Thiên tăng tuế nguyệt nhân tăng thọ",
             "Vế trái: 春滿乾坤福滿門 — Xuân mãn càn khôn phúc mãn môn",
             "Hoành phi: 萬象更新 — Vạn tượng canh tân",
             "Trời thêm năm tháng, người thêm tuổi thọ; xuân đầy trời đất, phúc đầy nhà — Muôn vật đổi mới.",
             "Right scroll (read first): Heaven adds years and months, and people add longevity;",
             "left scroll: spring fills heaven and earth, and blessings fill the home. Top: Everything is renewed."]
    y = 1580
    for text in lines:
        text_runs(d, (cx, y), cjk_runs(text, 30), INK)
        y += 58
    _footer(d, ["Trang 2/3 · Page 2 of 3 — câu đối Tết phổ biến, in bằng phông Noto Serif CJK TC.",
                "A widely used Spring Festival couplet, typeset with Noto Serif CJK TC by the project."])
    return img


def hoa_lantern_card() -> Image.Image:
    """Page 3: a Lantern Festival greeting, 元宵節快樂, for the 15th day of the first month."""
    img = Image.new("RGB", PAGE, PAPER)
    d = ImageDraw.Draw(img)
    _frame(d)
    cx = PAGE[0] / 2
    text_center(d, (cx, 330), "元宵節快樂", font("cjk-serif", 230), RED)
    text_center(d, (cx, 560), "正月十五", font("cjk-serif", 130), INK)
    for i in range(5):
        lantern(d, 260 + i * 270, 980 + (i % 2) * 80, 110, glyph="福" if i == 2 else None)
    lines = ["元宵節快樂 — Nguyên Tiêu tiết khoái lạc — Chúc mừng Tết Nguyên Tiêu — Happy Lantern Festival",
             "正月十五 — Chính nguyệt thập ngũ — Rằm tháng Giêng — the 15th day of the first lunar month"]
    y = 1400
    for text in lines:
        text_runs(d, (cx, y), cjk_runs(text, 31), INK)
        y += 70
    _footer(d, ["Trang 3/3 · Page 3 of 3 — thiệp do dự án tạo, in bằng phông Noto Serif CJK TC.",
                "Greeting card made by the project, typeset with Noto Serif CJK TC."])
    return img
