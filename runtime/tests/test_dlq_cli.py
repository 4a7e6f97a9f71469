"""The dead-letter CLI refuses a filter that would choose every letter."""

from __future__ import annotations

import pytest
from imc_runtime import dlq


@pytest.mark.parametrize("flag", ["--error", "--type"])
@pytest.mark.parametrize("command", ["replay", "purge"])
def test_an_empty_filter_is_refused_before_anything_is_read(
    command: str, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        dlq.main([command, "roadmaps", flag, ""])  # an unset $VAR in a script
    assert exited.value.code == 2
    assert "--all" in capsys.readouterr().err
