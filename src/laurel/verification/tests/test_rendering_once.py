"""Two requests for a file not rendered yet render it once."""

from __future__ import annotations

import pytest

from laurel.testing import at_once
from laurel.verification.factories import make_award
from laurel.verification.models import RenderedFile
from laurel.verification.services import award_files_render, rendered_file_ensure

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_version_rendered_twice_at_once_gives_one_set_of_files(settings):
    award = make_award()

    results = at_once(
        lambda: award_files_render(award=award), lambda: award_files_render(award=award)
    )

    assert not [r for r in results if isinstance(r, Exception)]
    first, second = results
    assert isinstance(first, list)
    assert isinstance(second, list)
    assert [f.name for f in first] == [f.name for f in second]
    assert RenderedFile.objects.filter(award=award).count() == 3
    assert len(list((settings.MEDIA_ROOT / "certificates").iterdir())) == 3


def test_many_requests_for_one_file_store_it_once(settings):
    award = make_award()

    results = at_once(*[lambda: rendered_file_ensure(award=award, kind="pdf")] * 4)

    assert not [r for r in results if isinstance(r, Exception)]
    assert len({r.name for r in results if isinstance(r, RenderedFile)}) == 1
    assert len(list((settings.MEDIA_ROOT / "certificates").iterdir())) == 1
