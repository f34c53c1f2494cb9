"""Record, then compare, the API's answers to seeded random households, byte for byte.

A speed change must not change what any answer says. Run with `--record FILE` before
the change and `--compare FILE` after it: every answer (both languages, the full and
the compact shape, plus a few households with odd member ids and 8-20 members) must be
the same bytes. The file holds SHA-256 digests only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from tests import oracle  # noqa: E402


def requests(book, count: int, seed: int):
    rng = random.Random(seed)
    edges = oracle.boundary_numbers(book)
    for i in range(count):
        payload = oracle.random_payload(rng, book, edges)
        if i % 25 == 0:  # member ids a resident might type, and a larger household
            for member in payload["members"]:
                member["id"] = f"成员 \"{member['id']}\" \\ é\u2028"
            for member in payload["members"]:
                if "is_guardian_of" in member:
                    member["is_guardian_of"] = f"成员 \"{member['is_guardian_of']}\" \\ é\u2028"
        if i % 50 == 1:
            extra = oracle.random_payload(rng, book, edges)
            for n, member in enumerate((extra["members"] * 5)[:20 - len(payload["members"])]):
                member = dict(member, id=f"x{n}")
                member.pop("is_guardian_of", None)
                payload["members"].append(member)
        for lang in ("zh", "en"):
            for answer in ("full", "compact"):
                yield f"/api/v1/check?lang={lang}&answer={answer}", payload


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--record")
    group.add_argument("--compare")
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args()
    app = create_app(TestConfig())
    logging.getLogger("fengtai.requests").setLevel(logging.WARNING)
    client = app.test_client()
    digests = []
    for url, payload in requests(app.extensions["checker"].book, args.households, args.seed):
        response = client.post(url, json=payload)
        assert response.status_code == 200, (url, response.status_code, response.get_data())
        digests.append(hashlib.sha256(response.get_data()).hexdigest())
    if args.record:
        Path(args.record).write_text(json.dumps(digests))
        print(f"recorded {len(digests)} answers")
        return 0
    recorded = json.loads(Path(args.compare).read_text())
    differ = sum(a != b for a, b in zip(recorded, digests, strict=True))
    print(f"{len(digests)} answers, {differ} different")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
