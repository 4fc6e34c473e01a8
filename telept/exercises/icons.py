"""The app icons of the web app manifest (views_offline.manifest), drawn from the favicon's
shape: the white diamond on the brand blue. `python -m telept.exercises.icons` writes them to
static/icons/ (committed; run it again only when the design changes).

- icon-192.png, icon-512.png: a rounded square, for launchers that show the icon as is;
- maskable-512.png: full bleed, the diamond inside the central 80 % circle that every mask
  shape keeps (the "safe zone" of the W3C manifest spec's maskable icons).
"""

from __future__ import annotations

from pathlib import Path

BRAND = (11, 92, 173, 255)  # --brand in static/css/app.css, the favicon's fill
WHITE = (255, 255, 255, 255)
ICONS_DIR = Path(__file__).resolve().parents[2] / "static" / "icons"
# (file name, size in px, maskable)
ICONS = (("icon-192.png", 192, False), ("icon-512.png", 512, False),
         ("maskable-512.png", 512, True))
SUPERSAMPLE = 4


def draw(size: int, *, maskable: bool) -> object:
    """The icon as a Pillow image (RGBA), drawn large and scaled down for smooth edges."""
    from PIL import Image, ImageDraw

    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=BRAND)
        reach = big * 0.30  # the diamond's half-diagonal: well inside the 40 % safe radius
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 6 // 32, fill=BRAND)
        reach = big * 11 / 32  # the favicon's 5..27 of 32
    c = big / 2
    pen.polygon([(c, c - reach), (c + reach, c), (c, c + reach), (c - reach, c)], fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS_DIR.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in ICONS:
        draw(size, maskable=maskable).save(ICONS_DIR / name, optimize=True)  # type: ignore[attr-defined]
        print(ICONS_DIR / name)


if __name__ == "__main__":
    main()
