"""Whatever people type prints as typed, or is refused with a message saying why."""

from __future__ import annotations

import io

import pypdf
import pytest
from PIL import Image

from laurel.rendering import FaceError, render_card_png, render_pdf, render_preview_png
from laurel.rendering.tests.factories import make_face, pdf_text, printed_text

MARKUP = [
    '#read("/etc/passwd")',
    "$x^2 + y$",
    "*bold* _emphasis_ `code`",
    "<b>bold</b> <script>alert(1)</script>",
    "#set page(width: 1cm) #pagebreak()",
    "@ref <label> // not a comment [x] {y} \\u{41}",
]


def _flat(text: str) -> str:
    return "".join(text.split()).replace("\u200b", "")


@pytest.mark.parametrize("layout", ["classic", "modern"])
@pytest.mark.parametrize("typed", MARKUP)
def test_markup_in_a_name_or_text_prints_literally(typed, layout):
    pdf = render_pdf(make_face(recipient_name=typed, text=f"Text: {typed}", layout=layout))

    printed = pdf_text(pdf)
    assert _flat(typed) in _flat(printed)
    assert _flat(f"Text: {typed}") in _flat(printed)
    assert "root:" not in printed  # nothing was read from the machine


def test_markup_in_every_other_field_prints_literally():
    typed = '#read("/etc/hosts") *x* $y$'
    face = make_face(
        certificate_name=typed, organisation_name=typed + " org", program_name=typed + " prog"
    )

    printed = _flat(pdf_text(render_pdf(face)))

    assert _flat(typed.upper()) in printed  # the certificate name is set in capitals
    assert _flat(typed + " org") in printed
    assert _flat(typed + " prog") in printed


def _margins_are_blank(
    png: bytes,
    *,
    paper: tuple[int, int, int],
    strip: float,
    sides: tuple[str, ...] = ("left", "right"),
    rows: tuple[float, float] = (0.15, 0.85),
) -> bool:
    """Nothing is drawn in the page's side margins (between the top and bottom corners)."""
    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        band = int(width * strip)
        top, bottom = int(height * rows[0]), int(height * rows[1])
        boxes = {"left": (0, top, band, bottom), "right": (width - band, top, width, bottom)}
        for side in sides:
            colours: list[tuple[int, tuple[int, int, int]]] = (
                rgb.crop(boxes[side]).getcolors(maxcolors=4096) or []  # type: ignore[assignment]
            )
            if any(
                max(abs(c - p) for c, p in zip(colour, paper, strict=True)) > 6
                for _, colour in colours
            ):
                return False
    return True


def test_a_300_letter_word_wraps_inside_the_page():
    word = "W" * 300
    face = make_face(recipient_name=word, text=f"Awarded for {word} and more.")

    pdf = render_pdf(face)
    preview = render_preview_png(face, width=1200)

    assert _flat(pdf_text(pdf)).count(word) == 2  # all of it is printed, nothing cut off
    # The classic frame sits 8 mm inside the page edge; a line running wide would cross it.
    assert _margins_are_blank(preview, paper=(0xFB, 0xF8, 0xF1), strip=7 / 297)


def test_the_margin_check_sees_anything_drawn_in_its_strip():
    # The frame lines are drawn 8 and 10.5 mm in from the edge: a 12 mm strip holds them.
    preview = render_preview_png(make_face(), width=1200)

    assert _margins_are_blank(preview, paper=(0xFB, 0xF8, 0xF1), strip=7 / 297)
    assert not _margins_are_blank(preview, paper=(0xFB, 0xF8, 0xF1), strip=12 / 297)


def test_a_300_letter_word_wraps_in_the_modern_layout_and_on_the_card():
    word = "M" * 300
    face = make_face(recipient_name=word, text=word, layout="modern")

    assert _flat(pdf_text(render_pdf(face))).count(word) == 2
    with Image.open(io.BytesIO(render_card_png(face))) as card:
        assert card.size == (1200, 627)


def test_control_characters_are_dropped_not_drawn():
    face = make_face(recipient_name="Ann\x00a\x07 Lee\tSmith", text="Line one\x1b\nLine two")

    pdf = render_pdf(face)

    assert printed_text(pdf).notdef_glyphs == 0
    printed = pdf_text(pdf)
    assert "Anna Lee Smith" in printed
    assert "Line one" in printed and "Line two" in printed


def test_bidi_overrides_cannot_reverse_a_name():
    # U+202E would show "evil" as "live"; the override is dropped and the name reads as typed.
    face = make_face(recipient_name="\u202eevil\u202c Smith \u2067x\u2069")

    printed = pdf_text(render_pdf(face))

    assert "evil Smith x" in printed
    assert "live" not in printed


def test_right_to_left_names_keep_their_letters_in_order():
    face = make_face(recipient_name="דוד כהן", layout="modern")

    printed = pdf_text(render_pdf(face))

    # Extracted text is in reading order when the paragraph is laid out right to left.
    assert "דוד" in printed and "כהן" in printed


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"colour": "green"}, "The accent colour must look like #RRGGBB; got 'green'."),
        ({"colour": "#12345"}, "The accent colour must look like #RRGGBB"),
        ({"recipient_name": " \u202e\x00 "}, "The recipient's name is empty;"),
        ({"certificate_name": ""}, "The certificate name is empty;"),
        ({"verify_url": ""}, "The verification URL is empty;"),
        ({"layout": "fancy"}, "Unknown certificate layout 'fancy'; choose one of classic, modern."),
        ({"logo": b"<svg onload=alert(1)>"}, "The logo is not a readable PNG or JPEG image."),
        (
            {"banner": b"\x89PNG\r\n\x1a\n broken"},
            "The banner is not a readable PNG or JPEG image.",
        ),
    ],
)
def test_a_face_that_cannot_be_printed_is_refused_with_a_reason(changes, message):
    with pytest.raises(FaceError) as refused:
        render_pdf(make_face(**changes))
    assert message in str(refused.value)


def test_an_image_in_another_format_is_refused_with_its_format():
    gif = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(gif, format="GIF")

    with pytest.raises(FaceError, match=r"The logo is a GIF image; use a PNG or JPEG file\."):
        render_pdf(make_face(logo=gif.getvalue()))


@pytest.mark.parametrize("layout", ["classic", "modern"])
def test_every_field_at_its_longest_still_fits_one_page(layout):
    face = make_face(
        recipient_name="王" * 200,
        certificate_name="Certificate of Outstanding " * 7,
        text="表彰 " * 660,
        organisation_name="Internationale Gesellschaft für " * 6,
        program_name="P" * 200,
        layout=layout,
    )

    pdf = render_pdf(face)

    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    assert printed_text(pdf).notdef_glyphs == 0
    assert _flat(pdf_text(pdf)).count("王" * 200) == 1
    preview, card = render_preview_png(face, width=1200), render_card_png(face)
    if layout == "classic":
        assert _margins_are_blank(preview, paper=(0xFB, 0xF8, 0xF1), strip=7 / 297)
        assert _margins_are_blank(card, paper=(0xFB, 0xF8, 0xF1), strip=12 / 1200)
    else:  # the accent panel fills the left side; the right margin stays white
        assert _margins_are_blank(
            preview, paper=(255, 255, 255), strip=10 / 297, sides=("right",), rows=(0.4, 0.97)
        )
        assert _margins_are_blank(
            card, paper=(255, 255, 255), strip=40 / 1200, sides=("right",), rows=(0.4, 0.97)
        )
