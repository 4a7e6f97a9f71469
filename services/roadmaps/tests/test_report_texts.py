"""The funder's report's words: every language has every one, and every one the template asks
for is there."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from imc_contracts import LANGUAGES
from imc_contracts.common import DAC_CRITERIA
from imc_roadmaps.adapters.report_texts import CATALOG, CRITERIA, RATINGS, TEXTS


@pytest.mark.parametrize("table", sorted(CATALOG))
def test_every_language_has_the_words_french_has(table: str) -> None:
    words = CATALOG[table]
    assert sorted(words) == sorted(LANGUAGES)
    for language in LANGUAGES:
        assert set(words[language]) == set(words["fr"]), (table, language)
        assert all(text.strip() for text in words[language].values()), (table, language)


def test_the_template_asks_only_for_texts_there_are() -> None:
    template = resources.files("imc_roadmaps").joinpath("templates/report.html").read_text()
    asked = set(re.findall(r"""\bt\(["']([a-z_]+)["']\)""", template))
    assert asked, "the template names its texts with t('…')"
    assert asked <= set(TEXTS["fr"])


def test_each_criterion_and_rating_has_a_name() -> None:
    for language in LANGUAGES:
        assert set(CRITERIA[language]) == set(DAC_CRITERIA)
        assert sorted(RATINGS[language]) == [1, 2, 3, 4]
