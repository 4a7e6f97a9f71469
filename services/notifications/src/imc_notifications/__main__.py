"""``python -m imc_notifications``: run the notifications service."""

from __future__ import annotations

from imc_runtime.service import configure, serve
from imc_runtime.settings import load_settings

from imc_notifications.bootstrap import build_app
from imc_notifications.settings import NotificationsSettings


def main() -> None:
    settings = load_settings(NotificationsSettings)
    configure(settings)
    serve(build_app(settings), settings)


if __name__ == "__main__":
    main()
