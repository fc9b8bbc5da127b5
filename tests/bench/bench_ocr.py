"""Character accuracy of the archive's OCR (ingest.ocr: Tesseract with the item's languages) on the sample documents.

    python -m tests.bench.bench_ocr

The text each sample shows is known because the project drew it: media_samples/documents.py is run again with
ImageDraw.text recording every string it draws (in drawing order, which is the reading order), and the stored PNGs
are read exactly as the worker reads them (ingest.ocr.read_page with the languages of the sample's record).
Vietnamese has no document sample, so a page of Vietnamese text is typeset here with the samples' font (Noto Sans).

Per document and script, accuracy = 1 − CER, CER = Levenshtein distance (rapidfuzz) / reference length, counting the
script's characters only (spaces and punctuation left out, as the page's layout decides them); "found" is the share
of the reference's characters that OCR returned anywhere (order-free), which separates misread characters from text
read in another order (a right-to-left plaque, vertical couplets). Then the couplet page is tried with Tesseract's
vertical models and page segmentation modes, on the whole page and on the two scrolls cut out.
"""
from __future__ import annotations

import csv
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytesseract
import regex
from PIL import Image, ImageDraw
from rapidfuzz.distance import Levenshtein

from ingest import ocr

SAMPLES = Path(__file__).resolve().parents[2] / "media_samples"
SCRIPTS = {"Khmer": r"\p{Khmer}", "Han": r"\p{Han}", "Cham": r"\p{Cham}", "Latin (vi/en)": r"\p{Latin}"}
VIETNAMESE = ["Lễ hội Katê của người Chăm ở Ninh Thuận",
              "Tết Nguyên Tiêu ở Hội quán Tuệ Thành, Chợ Lớn",
              "Chùa Chantarangsay và lễ Chôl Chnăm Thmây",
              "Những người giữ gìn tiếng nói, chữ viết của dân tộc",
              "Đêm rằm tháng Giêng, đèn lồng đỏ thắp sáng khắp phố",
              "Nhà nghiên cứu ghi âm lời kể của các bậc cao niên",
              "Tư liệu được số hoá để công chúng xem trên điện thoại",
              "Bảo tồn di sản văn hoá phi vật thể của đồng bào"]


def drawn_text(paint) -> list[str]:
    """Every string ``paint()`` draws with ImageDraw.text, in order."""
    strings, original = [], ImageDraw.ImageDraw.text

    def recording(self, xy, text, *args, **kwargs):
        strings.append(text)
        return original(self, xy, text, *args, **kwargs)

    ImageDraw.ImageDraw.text = recording
    try:
        paint()
    finally:
        ImageDraw.ImageDraw.text = original
    return strings


def vietnamese_page(path: Path) -> list[str]:
    """A page of Vietnamese typeset with the samples' font and size range; returns its lines."""
    from samplelib import font, text_center

    img = Image.new("RGB", (1600, 2200), (250, 243, 224))
    d = ImageDraw.Draw(img)
    for i, line in enumerate(VIETNAMESE):
        text_center(d, (800, 300 + i * 150), line, font("sans", 44 if i % 2 else 36), (52, 38, 28))
    img.save(path)
    return VIETNAMESE


def only(script: str, text: str) -> str:
    return "".join(regex.findall(SCRIPTS[script], text))


def scores(reference: str, read: str) -> tuple[float, float]:
    """(1 − CER, share of the reference's characters found anywhere)."""
    cer = Levenshtein.distance(reference, read) / len(reference)
    found = sum((Counter(reference) & Counter(read)).values()) / len(reference)
    return max(0.0, 1 - cer), found


def _records() -> dict[str, dict]:
    with (SAMPLES / "metadata.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    records = {}
    for row in rows:
        for name in row["file"].split("; "):
            records[name] = {"languages": [v.strip() for v in row["languages"].split(";") if v.strip()],
                             "scripts": [v.strip() for v in row["scripts"].split(";") if v.strip()]}
    return records


def main() -> None:
    sys.path.insert(0, str(SAMPLES))
    import documents

    records = _records()
    pages = [("khmer-new-year-greeting.png", documents.khmer_greeting), ("cham-akhar-chart.png", documents.cham_chart),
             ("hoa-calligraphy-1.png", documents.hoa_plaque), ("hoa-calligraphy-2.png", documents.hoa_couplets),
             ("hoa-calligraphy-3.png", documents.hoa_lantern_card)]
    rows, totals = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        vi_path = Path(tmp) / "vietnamese-page.png"
        jobs = [(name, SAMPLES / "documents" / name, drawn_text(paint), records[f"documents/{name}"])
                for name, paint in pages]
        jobs.append(("vietnamese-page.png (rendered here)", vi_path, vietnamese_page(vi_path),
                     {"languages": ["vie"], "scripts": ["Latn"]}))
        for name, path, strings, record in jobs:
            result = ocr.read_page(path, record)
            truth = "\n".join(strings)
            for script in SCRIPTS:
                reference = only(script, truth)
                if not reference:
                    continue
                read = only(script, result["text"])
                accuracy, found = scores(reference, read)
                rows.append((name, result.get("languages") or "—", script, len(reference), accuracy, found))
                total = totals.setdefault(script, [0, 0, 0])
                total[0] += len(reference)
                total[1] += Levenshtein.distance(reference, read)
                total[2] += sum((Counter(reference) & Counter(read)).values())
    print(f"{'document':38} {'tesseract languages':24} {'script':14} {'chars':>6} {'1-CER':>7} {'found':>7}")
    for name, languages, script, n, accuracy, found in rows:
        print(f"{name:38} {languages:24} {script:14} {n:6d} {accuracy:7.1%} {found:7.1%}")
    print("\nper script, all documents:")
    for script, (n, distance, found) in totals.items():
        print(f"  {script:14} {n:6d} chars  1-CER {max(0.0, 1 - distance / n):7.1%}  found {found / n:7.1%}")
    couplets()


def couplets() -> None:
    """The vertical couplets of page 2 (right scroll read first), with what Tesseract offers for vertical text. On the
    whole page only the words whose box lies on a scroll count (the caption below repeats the couplets)."""
    reference = "天增歲月人增壽春滿乾坤福滿門"
    page = Image.open(SAMPLES / "documents" / "hoa-calligraphy-2.png")
    boxes = [(1600 - 330 - 110, 400, 1600 - 330 + 110, 1480), (330 - 110, 400, 330 + 110, 1480)]  # right, left

    def on_scrolls(lang: str, psm: int) -> str:
        data = pytesseract.image_to_data(page, lang=lang, config=f"--psm {psm}", output_type=pytesseract.Output.DICT)
        read = []
        for box in boxes:
            words = [(data["top"][i], data["text"][i]) for i in range(len(data["text"]))
                     if box[0] <= data["left"][i] + data["width"][i] / 2 <= box[2]
                     and box[1] <= data["top"][i] + data["height"][i] / 2 <= box[3]]
            read += [text for _, text in sorted(words)]
        return only("Han", "".join(read))

    def cut_out(lang: str, psm: int) -> str:
        return "".join(only("Han", pytesseract.image_to_string(page.crop(box), lang=lang, config=f"--psm {psm}"))
                       for box in boxes)

    print(f"\nvertical couplets of hoa-calligraphy-2.png ({reference}):")
    for label, how, lang, psm in [
            ("whole page, chi_tra+chi_sim+vie+eng, psm 3 (as ingested)", on_scrolls, "chi_tra+chi_sim+vie+eng", 3),
            ("whole page, chi_tra_vert, psm 5 (vertical block)", on_scrolls, "chi_tra_vert", 5),
            ("whole page, chi_tra+chi_tra_vert, psm 3", on_scrolls, "chi_tra+chi_tra_vert", 3),
            ("scrolls cut out, chi_tra_vert, psm 5", cut_out, "chi_tra_vert", 5),
            ("scrolls cut out, chi_tra, psm 5", cut_out, "chi_tra", 5),
            ("scrolls cut out, chi_tra_vert, psm 3", cut_out, "chi_tra_vert", 3)]:
        if any(part not in ocr.installed() for part in lang.split("+")):
            print(f"  {label:58} (language data not installed)")
            continue
        read = how(lang, psm)
        accuracy, found = scores(reference, read)
        print(f"  {label:58} 1-CER {accuracy:6.1%}  found {found:6.1%}  read {read[:30]!r}")


if __name__ == "__main__":
    main()
