"""Resident memory of this process and of a bare interpreter, and the mixed queries the
directory rows type (names, domains, note words; 1-3 word prefixes)."""

from __future__ import annotations

import random
import resource
import subprocess
import sys

BARE = "import sys; print(open('/proc/self/statm').read().split()[1])"


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20


def peak_mb() -> float:
    """The most this process has held resident: ``VmHWM`` of its own memory map.

    Not ``ru_maxrss``: Linux keeps that figure across fork and exec, so a process spawned
    by the bench (after it seeded a million customers) would report the bench's peak.
    """
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_rss_mb() -> float:
    out = subprocess.run([sys.executable, "-S", "-c", BARE], capture_output=True, text=True)
    return int(out.stdout.strip()) * 4096 / 2**20


def make_queries(count: int, seed: int = 11) -> list[str]:
    from tests.directory.synthetic import DOMAINS, FAMILY, GIVEN, NOTE_WORDS

    rng = random.Random(seed)
    pool = [*GIVEN, *FAMILY, *(d.split(".")[0] for d in DOMAINS), *NOTE_WORDS]
    queries = []
    for _ in range(count):
        parts = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            word = rng.choice(pool)
            parts.append(word[: rng.randint(min(2, len(word)), len(word))])
        queries.append(" ".join(parts))
    return queries


def typos(names: list[str], count: int, seed: int = 12) -> list[str]:
    """Names with two neighbouring letters swapped (``jonh``, ``mraia``)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        word = rng.choice(names).lower()
        if len(word) < 4:
            continue
        at = rng.randrange(1, len(word) - 1)
        swapped = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        if swapped != word:
            out.append(swapped)
    return out
