"""bowsprit convert on a real Prow configuration: time, CPU and memory of one conversion
(read, import, translate, write). Prints; asserts nothing.

    python hack/bench/convert.py --config config/prow/config.yaml \
        --plugins config/prow/plugins.yaml --jobs config/jobs

kubernetes/test-infra's configuration (604 job files, 7.9 MB) is a good large input:
`git --git-dir=<mirror> archive` or a checkout of that repository.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from procstats import cpu_seconds, rss_mb  # type: ignore[import-not-found]

from bowsprit.convert.convert import convert
from bowsprit.convert.main import read_sources
from bowsprit.convert.output import render
from bowsprit.convert.templates import translate_templates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path, action="append", default=[])
    parser.add_argument("--plugins", type=Path, action="append", default=[])
    parser.add_argument("--jobs", type=Path, action="append", default=[])
    args = parser.parse_args()
    inputs = [
        *((path, "config") for path in args.config),
        *((path, "plugins") for path in args.plugins),
        *((path, "jobs") for path in args.jobs),
    ]
    started, cpu = time.monotonic(), cpu_seconds(os.getpid())
    sources = read_sources(inputs)  # type: ignore[arg-type]
    read = time.monotonic()
    conversion = convert(sources)
    translate_templates(conversion)
    converted = time.monotonic()
    files = render(conversion)
    with tempfile.TemporaryDirectory() as out:
        for name, content in files.items():
            (Path(out) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(out) / name).write_text(content, encoding="utf-8")
    done = time.monotonic()
    print(f"documents: {len(sources)}, objects: {len(conversion.objects)}, files: {len(files)}")
    print(f"read {read - started:.1f}s, convert {converted - read:.1f}s,", end=" ")
    print(f"write {done - converted:.1f}s")
    used = cpu_seconds(os.getpid()) - cpu
    print(f"total {done - started:.1f}s wall, {used:.1f}s CPU, {rss_mb(os.getpid()):.0f} MB RSS")


if __name__ == "__main__":
    main()
