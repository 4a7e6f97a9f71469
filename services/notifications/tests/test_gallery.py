"""The gallery renders every email in every language to files a person can open."""

from __future__ import annotations

from pathlib import Path

from imc_contracts import LANGUAGES
from imc_notifications.domain.rules import KINDS
from imc_notifications.gallery import write_gallery


def test_the_gallery_has_every_kind_in_every_language(tmp_path: Path) -> None:
    written = write_gallery(tmp_path)
    assert written[0].name == "index.html"
    expected = {f"{kind}.{language}.html" for kind in (*KINDS, "digest") for language in LANGUAGES}
    assert {page.name for page in written[1:]} == expected
    assert 'dir="rtl"' in (tmp_path / "milestone_overdue.ar.html").read_text()
    assert (tmp_path / "digest.fr.txt").read_text().startswith("Subject: Résumé du jour")
