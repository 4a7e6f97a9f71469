"""Fixtures for every test directory in the repository."""

pytest_plugins = ["imc_devstack.testing"]
