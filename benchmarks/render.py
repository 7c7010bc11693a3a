"""Certificate rendering speed: median warm render times, and 1,000 certificates in a row.

Run with `.venv/bin/python benchmarks/render.py` from the repository root. Targets on a
2-core machine: PDF <= 30 ms, share card PNG <= 80 ms.
"""

from __future__ import annotations

import datetime
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laurel.settings")

import django

django.setup()

from PIL import Image, ImageDraw  # noqa: E402

from laurel.rendering import (  # noqa: E402
    CertificateFace,
    render_card_png,
    render_pdf,
    render_preview_png,
)

NAMES = [
    "Zoë Ångström",
    "محمد عبد الله الفارسي",
    "王小明",
    "Αλέξανδρος Παπαδόπουλος",
    "Дмитрий Иванов",
    "דוד כהן",
    "प्रिया शर्मा",
    "สมชาย ใจดี",
    "佐藤 花子",
    "김민준",
]


def _image(size: tuple[int, int], colour: str) -> bytes:
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).ellipse((size[0] // 4, 0, size[0], size[1]), fill="#FFFFFF")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


BANNER = _image((1600, 400), "#2D6A4F")
LOGO = _image((400, 160), "#264653")


def face(number: int, layout: str) -> CertificateFace:
    public_id = f"bench{number:017d}"
    return CertificateFace(
        recipient_name=NAMES[number % len(NAMES)],
        certificate_name="Mentor of the Season",
        text="In recognition of completing 12 mentoring sessions in the Spring 2026 cohort, "
        "with thoughtful feedback after every one.",
        colour="#2D6A4F",
        organisation_name="Open Source Mentors Guild",
        program_name="Spring 2026 Cohort",
        issued_on=datetime.date(2026, 11, 29),
        verify_url=f"https://laurel.example.org/c/{public_id}",
        certificate_id=public_id,
        banner=BANNER,
        logo=LOGO,
        layout=layout,
    )


def medians_ms(render, faces: list[CertificateFace]) -> tuple[float, float]:
    """Median wall-clock and CPU time of one render, in milliseconds.

    On a machine shared with other work the wall-clock time grows with the load; the CPU
    time shows what a render costs on its own.
    """
    wall, cpu = [], []
    for one in faces:
        start, start_cpu = time.perf_counter(), time.process_time()
        render(one)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def _figures(render, faces: list[CertificateFace]) -> str:
    wall, cpu = medians_ms(render, faces)
    return f"{wall:.1f} ms (CPU {cpu:.1f} ms)"


def main() -> None:
    start = time.perf_counter()
    render_pdf(face(0, "classic"))
    print(
        f"first render in this process (font loading): {(time.perf_counter() - start) * 1000:.0f} ms"
    )
    for layout in ("classic", "modern"):
        faces = [face(n, layout) for n in range(1, 101)]
        medians_ms(render_pdf, faces[:10])  # warm up this layout
        print(f"{layout}: median warm render")
        print(f"  PDF          {_figures(render_pdf, faces)}  target <= 30 ms")
        print(f"  card PNG     {_figures(render_card_png, faces)}  target <= 80 ms")
        print(f"  preview PNG  {_figures(render_preview_png, faces)}")
    count = 1000
    start, start_cpu = time.perf_counter(), time.process_time()
    for number in range(count):
        one = face(10_000 + number, "classic" if number % 2 else "modern")
        render_pdf(one)
        render_card_png(one)
        render_preview_png(one)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(
        f"{count} certificates, PDF + card + preview each, one process: {elapsed:.1f} s"
        f" (CPU {cpu:.1f} s; {elapsed / count * 1000:.0f} ms per certificate)"
    )


if __name__ == "__main__":
    main()
