"""`bowsprit emulator`: serve the emulator until interrupted, like a throwaway cluster."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from bowsprit.emulator.runner import Emulator


def add_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (0 picks a free one)"
    )
    parser.add_argument(
        "--kubeconfig-out",
        type=Path,
        default=None,
        help="write a kubeconfig for the emulator here (kubectl --kubeconfig PATH get ns)",
    )
    parser.add_argument(
        "--snapshot",
        type=Path,
        default=None,
        help="load objects from this file at start and save them to it at exit",
    )


def run(args: argparse.Namespace) -> int:
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    emulator = Emulator(port=args.port, snapshot=args.snapshot).start()
    try:
        print(f"Kubernetes API emulator serving on {emulator.url}", flush=True)
        if args.kubeconfig_out is not None:
            emulator.write_kubeconfig(args.kubeconfig_out)
            print(f"kubeconfig written to {args.kubeconfig_out}", flush=True)
        stopping.wait()
    finally:
        emulator.stop()
        print("emulator stopped", file=sys.stderr, flush=True)
    return 0
