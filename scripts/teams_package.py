"""Build the Teams app package (a zip to upload in Teams or its admin centre).

    .venv/bin/python scripts/teams_package.py            # → var/teams-app.zip
    .venv/bin/python scripts/teams_package.py --icons    # redraw teams/color.png, outline.png

The placeholders `{{NAME}}` of teams/manifest.json are filled from the environment variables
of the same name (TEAMS_APP_ID, TEAMS_DEVELOPER_NAME, TEAMS_WEBSITE_URL, TEAMS_PRIVACY_URL,
TEAMS_TERMS_URL); a missing one stops the build. See docs/teams.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw  # Pillow, installed with matplotlib

ROOT = Path(__file__).resolve().parent.parent
TEAMS_DIR = ROOT / "teams"
GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
Colour = tuple[int, int, int, int]
GREEN = (24, 117, 60, 255)  # accentColor of the manifest
WHITE = (255, 255, 255, 255)


def fill(template: str, environ: dict[str, str]) -> str:
    """Replace every `{{NAME}}` with `environ[NAME]`; list the missing ones in the error."""
    missing = sorted({name for name in PLACEHOLDER.findall(template) if not environ.get(name)})
    if missing:
        raise SystemExit("Variables manquantes : " + ", ".join(missing))
    return PLACEHOLDER.sub(lambda m: json.dumps(environ[m.group(1)])[1:-1], template)


def _leaf(size: int, fill: Colour, vein: Colour) -> Image.Image:
    """A leaf pointing up-right: a lens between two tips, its vein, and a short stem."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ax, ay, bx, by = size * 0.28, size * 0.72, size * 0.80, size * 0.20
    nx, ny = (ay - by), (bx - ax)  # normal to the axis, same length
    norm = math.hypot(nx, ny)
    nx, ny = nx / norm, ny / norm
    half_width = size * 0.20
    side = [
        (ax + t * (bx - ax), ay + t * (by - ay), half_width * math.sin(math.pi * t))
        for t in (k / 40 for k in range(41))
    ]
    outline = [(x + nx * w, y + ny * w) for x, y, w in side]
    outline += [(x - nx * w, y - ny * w) for x, y, w in reversed(side)]
    draw.polygon(outline, fill=fill)
    width = max(1, size // 32)
    draw.line((ax, ay, bx - (bx - ax) * 0.15, by + (ay - by) * 0.15), fill=vein, width=width)
    draw.line((ax, ay, size * 0.18, size * 0.82), fill=fill, width=max(2, size // 24))
    return image


def draw_icons() -> None:
    """Colour icon 192×192 (leaf on green) and outline icon 32×32 (white on transparent)."""
    color = Image.new("RGBA", (192, 192), GREEN)
    color.alpha_composite(_leaf(192, WHITE, GREEN))
    color.save(TEAMS_DIR / "color.png")
    # Teams wants the outline icon white on a transparent background, nothing else.
    _leaf(32, WHITE, (0, 0, 0, 0)).save(TEAMS_DIR / "outline.png")


def build(out: Path, environ: dict[str, str]) -> Path:
    """Write the zip: manifest.json (filled) and the two icons, at the root of the archive."""
    if not GUID.fullmatch(environ.get("TEAMS_APP_ID", "").strip() or "-"):
        raise SystemExit(
            "TEAMS_APP_ID doit être l'ID d'application (GUID) de l'inscription Entra ID"
        )
    manifest = fill((TEAMS_DIR / "manifest.json").read_text(encoding="utf-8"), environ)
    json.loads(manifest)  # still valid JSON
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest)
        for icon in ("color.png", "outline.png"):
            archive.write(TEAMS_DIR / icon, icon)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--icons", action="store_true", help="redessiner les icônes")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "teams-app.zip")
    args = parser.parse_args(argv)
    if args.icons:
        draw_icons()
        print(f"Icônes écrites dans {TEAMS_DIR}")
        return 0
    print(build(args.out, dict(os.environ)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
