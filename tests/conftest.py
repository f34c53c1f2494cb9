import os
from pathlib import Path

import pytest

from app import create_app
from app.config import TestConfig

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def app():
    return create_app(TestConfig())


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def book(app):
    return app.extensions["checker"].book


@pytest.fixture(scope="session")
def checker(app):
    return app.extensions["checker"]


def pytest_configure(config):
    # Chromium leaves temporary folders behind: keep them inside the checkout
    tmp = ROOT / ".tmp"
    tmp.mkdir(exist_ok=True)
    os.environ.setdefault("TMPDIR", str(tmp))
