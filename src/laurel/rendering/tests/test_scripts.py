"""Names and texts in every script we promise print with real glyphs, never empty boxes."""
# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from laurel.rendering import render_pdf
from laurel.rendering.tests.factories import covered_by_fonts_used, make_face, printed_text

# script: (name, text, the font family that must draw it; None: the layout's own family)
SCRIPTS = {
    "latin": ("Zoë Ångström-Łukasiewicz", "Félicitations à Çağla Øvergård für größte Mühe.", None),
    "greek": ("Αλέξανδρος Παπαδόπουλος", "Για την ολοκλήρωση δώδεκα συνεδριών καθοδήγησης.", None),
    "cyrillic": ("Дмитрий Ёлкин", "За проведение двенадцати наставнических встреч.", None),
    "arabic": ("محمد عبد الله الفارسي", "تقديراً لإتمام اثنتي عشرة جلسة إرشاد.", "NotoSansArabic"),
    "hebrew": ("דוד כהן", "על השלמת שתים עשרה פגישות חניכה.", "NotoSansHebrew"),
    "devanagari": ("प्रिया शर्मा", "बारह मार्गदर्शन सत्र पूरे करने के लिए।", "NotoSansDevanagari"),
    "thai": ("สมชาย ใจดี", "สำหรับการเข้าร่วมการให้คำปรึกษาสิบสองครั้ง", "NotoSansThai"),
    "chinese": ("王小明", "表彰其完成十二次辅导课程。", "NotoSansCJKsc"),
    "japanese": ("佐藤 花子", "十二回のメンタリングを修了したことを称えます。", "NotoSansCJKjp"),
    "korean": ("김민준", "열두 번의 멘토링 세션을 마친 것을 축하합니다.", "NotoSansCJKkr"),
    "emoji": ("Sam 🎉🌟", "Well done 👏🏽 — see you next season 🚀", "NotoEmoji"),
}


LAYOUT_FAMILIES = {"classic": "EBGaramond", "modern": "Inter"}


@pytest.mark.parametrize("layout", ["classic", "modern"])
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_every_character_prints_with_a_real_glyph(script, layout):
    name, text, family = SCRIPTS[script]
    family = family or LAYOUT_FAMILIES[layout]
    pdf = render_pdf(make_face(recipient_name=name, text=text, layout=layout))

    printed = printed_text(pdf)

    assert printed.notdef_glyphs == 0
    assert any(font.startswith(family) for font in printed.fonts_used), printed.fonts_used
    wanted = {ch for ch in name + text if not ch.isspace() and ch not in "\u200d\ufe0f"}
    # Skin-tone modifiers fold into the emoji they follow.
    wanted -= {chr(code) for code in range(0x1F3FB, 0x1F400)}
    # Every character is in a font embedded for this page...
    assert wanted <= covered_by_fonts_used(printed), sorted(wanted - covered_by_fonts_used(printed))
    # ...and was drawn: the glyphs' text maps name it. Arabic fonts share one dotless
    # glyph between several letters, so only most letters can be named that way there.
    drawn = wanted & printed.characters
    assert len(drawn) >= 0.8 * len(wanted), sorted(wanted - printed.characters)


def test_a_name_mixing_scripts_prints_every_character():
    name = "Ana María 王 محمد Ελένη Ольга דוד प्रिया ใจ 花子 민준 🎓"
    printed = printed_text(render_pdf(make_face(recipient_name=name)))

    assert printed.notdef_glyphs == 0
    assert {ch for ch in name if not ch.isspace()} <= covered_by_fonts_used(printed)


def test_a_character_no_font_has_is_caught_by_the_check():
    # No shipped font has Cherokee, so the PDF shows empty boxes: this keeps the glyph
    # check above honest.
    printed = printed_text(render_pdf(make_face(recipient_name="ᏣᎳᎩ")))

    assert printed.notdef_glyphs >= 1
