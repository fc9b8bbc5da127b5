"""Copy the front-end files the site serves from node_modules (installed by `npm ci`) into archive/web/static/vendor.

Fonts: only the script subsets the archive needs (Khmer, Cham, the Han chunks of Noto Sans TC and SC), as woff2,
under family names of our own (so a page's fonts never depend on what the visitor's device has installed), with one
generated stylesheet, vendor/fonts.css. OpenSeadragon: the minified build and its button images. Swagger UI (the API
page, /{lang}/api): its bundle and stylesheet. The map (/{lang}/map, place and item pages): Leaflet and its marker
clusters, and vendor/map/basemap.json, the country outlines drawn when no tile server is set (made by
scripts/vendor_basemap.js from world-atlas, Natural Earth's public-domain data). Licences beside.
Run again whenever package-lock.json changes; it replaces the vendor folder whole.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "archive" / "web" / "static" / "vendor"

# (npm package, our family name, weights, subsets kept: a name, or "han" for the numbered [N] chunks)
FONTS = (
    ("@fontsource/noto-sans-khmer", "Heritage Khmer", (400, 700), {"khmer"}),
    ("@fontsource/noto-sans-cham", "Heritage Cham", (400, 700), {"cham"}),
    ("@fontsource/noto-sans-tc", "Heritage Han TC", (400,), {"han"}),
    ("@fontsource/noto-sans-sc", "Heritage Han SC", (400,), {"han"}),
)
FACE = re.compile(r"/\* (?P<name>[^*]+?) \*/\s*@font-face\s*\{(?P<body>[^}]*)\}", re.S)
SRC = re.compile(r"url\(\./files/(?P<file>[^)]+\.woff2)\) format\('woff2'\)")
RANGE = re.compile(r"unicode-range:\s*(?P<range>[^;]+);")


def _subset(package: str, face_name: str, weight: int) -> str:
    stem = face_name.removeprefix(package.split("/")[1] + "-").removesuffix(f"-{weight}-normal")
    return "han" if stem.startswith("[") else stem


def font_faces(package: str, family: str, weight: int, subsets: set[str], dest: Path) -> list[str]:
    source = MODULES / package
    css = (source / f"{weight}.css").read_text(encoding="utf-8")
    faces = []
    for m in FACE.finditer(css):
        if _subset(package, m.group("name"), weight) not in subsets:
            continue
        src, unicode_range = SRC.search(m.group("body")), RANGE.search(m.group("body"))
        if not src or not unicode_range:
            raise SystemExit(f"{source / f'{weight}.css'}: face {m.group('name')!r} has no woff2 source or range")
        shutil.copyfile(source / "files" / src.group("file"), dest / src.group("file"))
        faces.append(f"@font-face{{font-family:'{family}';font-style:normal;font-display:swap;font-weight:{weight};"
                     f"src:url(fonts/{src.group('file')}) format('woff2');"
                     f"unicode-range:{unicode_range.group('range').strip()}}}")
    if not faces:
        raise SystemExit(f"{package}: no @font-face for subsets {sorted(subsets)} at weight {weight}")
    return faces


def vendor_map(dest: Path) -> dict[str, str]:
    """Leaflet (script, stylesheet, marker images), Leaflet.markercluster and the offline base layer."""
    dest.mkdir()
    leaflet, clusters = MODULES / "leaflet", MODULES / "leaflet.markercluster"
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copyfile(leaflet / "dist" / name, dest / name)
    shutil.copytree(leaflet / "dist" / "images", dest / "images")
    shutil.copyfile(leaflet / "LICENSE", dest / "leaflet.LICENSE.txt")
    for name in ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"):
        shutil.copyfile(clusters / "dist" / name, dest / name)
    shutil.copyfile(clusters / "MIT-LICENCE.txt", dest / "leaflet.markercluster.LICENSE.txt")
    subprocess.run(["node", str(ROOT / "scripts" / "vendor_basemap.js"), str(dest / "basemap.json")], check=True)
    shutil.copyfile(MODULES / "world-atlas" / "LICENSE", dest / "world-atlas.LICENSE.txt")
    return {name: json.loads((MODULES / name / "package.json").read_text())["version"]
            for name in ("leaflet", "leaflet.markercluster", "world-atlas", "topojson-client")}


def main() -> int:
    if not (MODULES / ".package-lock.json").exists():
        print(f"{MODULES}: missing; run `npm ci` first", file=sys.stderr)
        return 2
    shutil.rmtree(VENDOR, ignore_errors=True)
    (VENDOR / "fonts").mkdir(parents=True)
    (VENDOR / ".gitignore").write_text("# Filled by scripts/vendor_static.py from node_modules; not committed.\n*\n")
    versions = {}
    faces = []
    for package, family, weights, subsets in FONTS:
        for weight in weights:
            faces += font_faces(package, family, weight, subsets, VENDOR / "fonts")
        shutil.copyfile(MODULES / package / "LICENSE", VENDOR / "fonts" / f"{package.split('/')[1]}.LICENSE.txt")
        versions[package] = json.loads((MODULES / package / "package.json").read_text())["version"]
    (VENDOR / "fonts.css").write_text("\n".join(faces) + "\n", encoding="utf-8")

    osd = MODULES / "openseadragon"
    shutil.copyfile(osd / "build" / "openseadragon" / "openseadragon.min.js", VENDOR / "openseadragon.min.js")
    shutil.copytree(osd / "build" / "openseadragon" / "images", VENDOR / "openseadragon-images")
    shutil.copyfile(osd / "LICENSE.txt", VENDOR / "openseadragon.LICENSE.txt")
    versions["openseadragon"] = json.loads((osd / "package.json").read_text())["version"]

    swagger = MODULES / "swagger-ui-dist"
    (VENDOR / "swagger-ui").mkdir()
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"):
        shutil.copyfile(swagger / name, VENDOR / "swagger-ui" / (name + ".txt" if name.isupper() else name))
    versions["swagger-ui-dist"] = json.loads((swagger / "package.json").read_text())["version"]
    versions.update(vendor_map(VENDOR / "map"))
    (VENDOR / "versions.json").write_text(json.dumps(versions, indent=2) + "\n")
    print(f"vendor: {len(faces)} font faces, OpenSeadragon {versions['openseadragon']} -> {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
