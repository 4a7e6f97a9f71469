"""The database a benchmark measures: ``IMC_MONGO_URL`` when set (a MongoDB, say), otherwise
a FerretDB of its own, started in a temporary directory and stopped afterwards."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from imc_devstack.stack import Stack


@contextlib.contextmanager
def database_url() -> Iterator[str]:
    url = os.environ.get("IMC_MONGO_URL")
    if url is not None:
        yield url
        return
    with Stack.temporary("imc-bench-") as stack:
        stack.start_ferretdb()
        yield stack.mongo_url
