"""Fail when translations/messages.pot is stale or a Chinese translation is missing.

Run by `make babel-check` (part of `make test`). Fix with `make babel-update`,
then translate the new entries in translations/zh/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def ids(path: Path) -> set:
    with path.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                        "babel.cfg", "--no-location", "--sort-output", "--omit-header",
                        "-k", "lazy_gettext", "-o", str(fresh), "."],
                       cwd=ROOT, check=True, capture_output=True)
        committed = ROOT / "translations" / "messages.pot"
        problems = []
        if not committed.exists() or ids(fresh) != ids(committed):
            problems.append("translations/messages.pot is stale: run `make babel-update`")
        with (ROOT / "translations/zh/LC_MESSAGES/messages.po").open("rb") as handle:
            catalog = read_po(handle)
        wanted = ids(fresh)
        for message in catalog:
            if not message.id or message.id not in wanted:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings) or message.fuzzy:
                problems.append(f"zh: no translation for {message.id!r}")
        missing = wanted - {m.id for m in catalog if m.id}
        problems += [f"zh: {mid!r} is not in the .po file: run `make babel-update`"
                     for mid in sorted(missing, key=str)]
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
