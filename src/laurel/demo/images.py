"""The demo's logo and banners, drawn so that the demo ships no image files."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _towards_white(colour: str, amount: float) -> tuple[int, int, int]:
    """The colour mixed with white; opaque, so the mark looks the same on any background."""
    r, g, b = (round(c + (255 - c) * amount) for c in _rgb(colour))
    return r, g, b


def logo_png(accent: str, size: int = 512) -> bytes:
    """A compass mark: a rounded square in the accent colour with a north-pointing needle."""
    scale = 4  # drawn large and scaled down, for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 4, fill=_rgb(accent))
    centre = big // 2
    ring = int(big * 0.31)
    draw.ellipse(
        (centre - ring, centre - ring, centre + ring, centre + ring),
        outline=_towards_white(accent, 0.45),
        width=big // 48,
    )
    reach, waist = int(big * 0.36), int(big * 0.085)
    draw.polygon(
        [(centre, centre - reach), (centre + waist, centre), (centre - waist, centre)],
        fill=(255, 255, 255),
    )
    draw.polygon(
        [(centre, centre + reach), (centre + waist, centre), (centre - waist, centre)],
        fill=_towards_white(accent, 0.55),
    )
    dot = big // 40
    draw.ellipse((centre - dot, centre - dot, centre + dot, centre + dot), fill=_rgb(accent))
    return _png(image.resize((size, size), Image.Resampling.LANCZOS))


def banner_png(start: str, end: str, *, seed: int, width: int = 1600, height: int = 400) -> bytes:
    """A diagonal gradient with a few soft circles and fine arcs."""
    rng = random.Random(seed)
    across = Image.linear_gradient("L").rotate(90).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    down = Image.linear_gradient("L")
    ramp = Image.blend(across, down, 0.3).resize((width, height), Image.Resampling.BICUBIC)
    image = Image.composite(
        Image.new("RGB", (width, height), _rgb(end)),
        Image.new("RGB", (width, height), _rgb(start)),
        ramp,
    ).convert("RGBA")
    glow = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(glow)
    for _ in range(4):
        radius = rng.randint(height // 2, height)
        x, y = rng.randint(width // 2, width), rng.randint(-radius // 3, height)
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=(255, 255, 255, rng.randint(18, 34)),
        )
    glow = glow.filter(ImageFilter.GaussianBlur(height // 16))
    image = Image.alpha_composite(image, glow)
    lines = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(lines)
    cx, cy = int(width * 0.84), int(height * 1.15)
    for step in range(1, 10):
        r = step * height // 4
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(255, 255, 255, 38), width=2)
    return _png(Image.alpha_composite(image, lines).convert("RGB"))
