"""Benchmark: 10,000 content slide transitions in one kiosk — memory, files, threads.

Run: .venv/bin/python tests/bench/soak.py [--transitions N] [--pictures P]

The real kiosk (stele.ui.app.Kiosk, offscreen) plays P full-HD JPEGs synced from the real
test HTTP server, with a private Mosquitto. Test-only speed-up, set on the Theme singleton
of this process only: `testOnlyTimeScale` (each slide stays 1/1000 of its 3 s), `fadeMs`
20 and `clockTickMs` 10 — every transition still loads a slide into the other Loader,
decodes its picture, cross-fades and unloads the one before. Every `--every` transitions it
samples RSS (VmRSS), open file descriptors and threads of this process. The first
`--warmup` transitions are the warm-up; the figures after it must stay flat.

Beside it, the baseline: the same kiosk with no content configured (the fallback screen, the
same speed-up), sampled for `--bare-s` seconds, so the figures show what content costs. Both
children import as `stele run` does (stele.ui.before_qt first).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.bench.content_setup import serve_manifest, write_config


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory in MB: all of it (VmRSS), or the heap and other anonymous pages only
    (RssAnon; the rest is shared libraries and files mapped in)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def child(config: str, transitions: int, every: int) -> None:
    """The kiosk process: plays, samples itself, prints one line per sample. With
    `transitions` 0 (no content configured) it samples every `every` ms instead, for
    `every * 20` ms."""
    from stele.ui.before_qt import import_kiosk_modules

    import_kiosk_modules()  # first, as `stele run` does: see there
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])
    from stele.config import load_config
    from stele.ui.app import Kiosk

    kiosk = Kiosk(load_config(Path(config), env={}, system_paths=()))
    theme = kiosk.view.engine().singletonInstance("Stele", "Theme")
    for name, value in (("testOnlyTimeScale", 0.001), ("fadeMs", 20), ("clockTickMs", 10)):
        assert theme.setProperty(name, value), name
    started = time.monotonic()
    count = [0]

    def on_slide(identifier: str) -> None:
        if not identifier:
            return
        count[0] += 1
        n = count[0]
        if n % every == 0 or n == 1:
            print(
                f"sample {n} {time.monotonic() - started:.2f} {rss_mb():.1f} {fds()} {threads()}"
                f" {rss_mb('RssAnon'):.1f}",
                flush=True,
            )
        if n >= transitions:
            QTimer.singleShot(0, app.quit)

    def sample() -> None:
        count[0] += 1
        print(
            f"sample {count[0]} {time.monotonic() - started:.2f} {rss_mb():.1f} {fds()}"
            f" {threads()} {rss_mb('RssAnon'):.1f}",
            flush=True,
        )
        if count[0] >= 20:
            app.quit()

    if transitions:
        kiosk.content.slide_changed.connect(on_slide)
    else:
        ticker = QTimer(app)
        ticker.timeout.connect(sample)
        ticker.start(every)
    kiosk.start()
    app.exec()
    kiosk.stop()
    kiosk.dispose()


Sample = tuple[int, float, float, int, int, float]  # n, s, rss, fds, threads, anon


def run_child(cfg: Path, transitions: int, every: int, env: dict[str, str]) -> Iterator[Sample]:
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--child",
            str(cfg),
            "--transitions",
            str(transitions),
            "--every",
            str(every),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("sample "):
            n, sec, rss, fd, th, anon = line.split()[1:]
            yield int(n), float(sec), float(rss), int(fd), int(th), float(anon)
    proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transitions", type=int, default=10_000)
    parser.add_argument("--pictures", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=1_000)
    parser.add_argument("--every", type=int, default=500)
    parser.add_argument("--bare-s", type=float, default=20.0, help="baseline: seconds sampled")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.transitions, args.every)
        return 0

    from tests.httpd import HttpServer
    from tests.mosquitto import MosquittoBroker

    samples: list[Sample] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        HttpServer() as server,
        MosquittoBroker(workdir=Path(tmp) / "broker") as broker,
    ):
        serve_manifest(server, args.pictures)
        cfg = write_config(
            Path(tmp), mqtt_port=broker.port, manifest_url=server.url("/manifest.json"), report_s=10
        )
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        env.pop("NOTIFY_SOCKET", None)
        # The baseline first: a kiosk without content, the same speed-up.
        bare_cfg = write_config(Path(tmp) / "bare", mqtt_port=broker.port, manifest_url=None)
        every_ms = max(1, round(args.bare_s * 1000 / 20))
        bare = [s for s in run_child(bare_cfg, 0, every_ms, env)]
        for n, sec, rss, fd, th, anon in run_child(cfg, args.transitions, args.every, env):
            samples.append((n, sec, rss, fd, th, anon))
            print(
                f"{n:>6} transitions {sec:7.1f} s  RSS {rss:6.1f} MB"
                f" (anonymous {anon:6.1f} MB)  fds {fd:>3}  threads {th:>3}",
                flush=True,
            )

    bare_rss = [s[2] for s in bare]
    print(
        f"\nbaseline, a kiosk without content for {bare[-1][1]:.0f} s: RSS"
        f" {min(bare_rss):.1f}-{max(bare_rss):.1f} MB (anonymous {bare[-1][5]:.1f} MB),"
        f" fds {bare[-1][3]}, threads {bare[-1][4]}"
    )
    after = [s for s in samples if s[0] >= args.warmup]
    rss = [s[2] for s in after]
    print(
        f"{samples[-1][0]} transitions of {args.pictures} full-HD JPEGs in {samples[-1][1]:.0f} s"
        f" (glibc thresholds set by the kiosk: stele/ui/malloc.py)"
    )
    if after:
        print(
            f"after {args.warmup} warm-up transitions: RSS {min(rss):.1f}-{max(rss):.1f} MB"
            f" (spread {max(rss) - min(rss):.1f} MB, first {rss[0]:.1f}, last {rss[-1]:.1f});"
            f" peak {max(s[2] for s in samples):.1f} MB; anonymous"
            f" {min(s[5] for s in after):.1f}-{max(s[5] for s in after):.1f} MB"
        )
        print(
            f"fds {min(s[3] for s in after)}-{max(s[3] for s in after)},"
            f" threads {min(s[4] for s in after)}-{max(s[4] for s in after)}"
            f" (targets: RSS <= 150 MB and within +-5 MB, fds and threads flat)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
