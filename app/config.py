"""Configuration classes. Secrets come only from the environment."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSRF_HOURS = 4


class Config:
    RULES_DIR = ROOT / "rules"
    # 64 KiB holds a 20-member household many times over
    MAX_CONTENT_LENGTH = 64 * 1024
    MAX_FORM_MEMORY_SIZE = 64 * 1024
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("zh", "en")
    # a form's token expires: one page load cannot arm posts for ever. Long enough for a
    # resident who fills the form in slowly (app/web/errors.py says so when it happens)
    WTF_CSRF_TIME_LIMIT = CSRF_HOURS * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # the journey's answers end on their own after this long unused (a shared computer
    # whose browser restores its session keeps session cookies alive)
    JOURNEY_IDLE_SECONDS = 60 * 60
    JSON_AS_ASCII = False

    def __init__(self) -> None:
        # several stateless instances behind nginx must share this key for CSRF
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or os.urandom(32).hex()


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("COOKIE_SECURE", "0") == "1"


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "test-only-key"
