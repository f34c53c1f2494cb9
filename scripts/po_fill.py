"""Fill Chinese translations into translations/zh/LC_MESSAGES/messages.po from a
tab-separated file of `msgid<TAB>msgstr` lines (a tool for translators; it never
overwrites an existing translation unless --force is given).

    python scripts/po_fill.py translations.tsv [--force]
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations/zh/LC_MESSAGES/messages.po"


def main(argv: list[str]) -> int:
    force = "--force" in argv
    pairs = {}
    for line in Path(argv[0]).read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            msgid, msgstr = line.split("\t", 1)
            pairs[msgid] = msgstr
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    filled = 0
    for message in catalog:
        if message.id in pairs and (force or not message.string):
            message.string = pairs[message.id]
            message.flags.discard("fuzzy")
            filled += 1
    catalog.fuzzy = False
    with PO.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, no_location=True)
    print(f"filled {filled}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
