"""``python -m imc_notifications``: run the notifications service."""

from __future__ import annotations

import functools

from imc_runtime.service import run_service

from imc_notifications.bootstrap import build_app
from imc_notifications.settings import NotificationsSettings

main = functools.partial(run_service, NotificationsSettings, build_app)

if __name__ == "__main__":
    main()
