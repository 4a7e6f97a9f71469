"""The registry refuses to start on contradictory settings, and says why."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.process


def test_a_service_with_bad_settings_exits_2_with_a_message_not_a_traceback() -> None:
    started = subprocess.run(
        [sys.executable, "-m", "imc_registry"],
        env={"IMC_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 2
    assert "IMC_KAFKA_SASL_USERNAME" in started.stderr
    assert "Traceback" not in started.stderr
