"""Load: many concurrent clients on one project over 127.0.0.1, mixing label edits, training and prediction,
while watchers follow the project's events.

Every client owns a stripe of the image and keeps a mirror of the labels it wrote there; at the end
the server's labels must equal the union of all mirrors exactly, and no call may have failed. Each
watcher reads the labels once before the clients start, then only applies the label patches of the
events it receives: at the end its copy must equal the server's labels exactly. Event latency is the
time from the change committing on the server to the watcher holding the event (one clock: loopback).
Also runs a single client for the same time first, and prints the throughput ratio (N clients / 1 client).

    python benchmarks/bench_load.py                       # 16 clients + 4 watchers x 60 s, server in its own process
    python benchmarks/bench_load.py --clients 4 --watchers 1 --seconds 5

tests/test_server_load.py runs a short version of the same loop in the normal test suite.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

STRIPE = 48  # columns per client
HEIGHT = 160
SEED_ROWS = 8  # rows 0..7 hold the seed labels no client touches
FEATURES = [("gaussian_smoothing", 1.0), ("gaussian_gradient_magnitude", 1.0), ("laplacian_of_gaussian", 1.6)]


@dataclass
class ClientReport:
    """What one client did: its stripe's expected labels, its edits in order, latencies per call
    kind, failures."""

    index: int
    mirror: np.ndarray
    #: ``("block", y, x, labels)`` and ``("stroke", points, radius, value)`` in stripe coordinates
    edits: list[tuple] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return sum(len(v) for v in self.latencies.values())


@dataclass
class WatcherReport:
    """What one watcher saw: its replayed labels, event latencies (s), resyncs, failures."""

    labels: np.ndarray
    latencies: list[float] = field(default_factory=list)
    events: int = 0
    resyncs: int = 0
    failures: list[str] = field(default_factory=list)


def image_shape(n_clients: int) -> tuple[int, int]:
    return HEIGHT, STRIPE * n_clients


def prepare_project(client, path: str, n_clients: int) -> np.ndarray:
    """Create the shared project with a synthetic image and seed labels of both classes; returns the seed labels."""
    rng = np.random.default_rng(0)
    shape = image_shape(n_clients)
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    image = (np.sin(yy / 9.0) * np.cos(xx / 7.0) + 0.2 * rng.standard_normal(shape)).astype(np.float32)
    project = client.create_project(path, overwrite=True)
    project.add_image(image, name="img")
    project.add_class("dark")
    project.add_class("bright")
    seed = np.zeros(shape, np.uint8)
    seed[:SEED_ROWS] = np.where(image[:SEED_ROWS] > 0, 2, 1)
    project.set_labels("img", seed)
    project.select_features(FEATURES)
    project.set_classifier("random_forest", n_estimators=8, random_state=1, threads=1)
    project.close()
    return seed


def client_loop(address: str, path: str, index: int, n_clients: int, deadline: float, max_iterations: int) -> ClientReport:
    """One client's bounded loop of edits (set_labels, paint, erase), training and viewport prediction."""
    from pixframework.client import connect
    from pixframework.painting import stroke_mask

    shape = image_shape(n_clients)
    x0 = STRIPE * index
    report = ClientReport(index, np.zeros((shape[0] - SEED_ROWS, STRIPE), np.uint8))
    rng = np.random.default_rng(100 + index)

    def timed(kind: str, call, *args, **kwargs):
        start = time.perf_counter()
        try:
            return call(*args, **kwargs)
        except Exception as exc:  # counted and reported: the bar is zero failures
            report.failures.append(f"{kind}: {type(exc).__name__}: {exc}")
        finally:
            report.latencies[kind].append(time.perf_counter() - start)

    with connect(address) as client:
        project = timed("open", client.open_project, path)
        if project is None:
            return report
        for i in range(max_iterations):
            if time.monotonic() > deadline:
                break
            step = i % 6
            if step in (0, 3):
                h, w = rng.integers(2, 12, 2)
                y, x = rng.integers(0, report.mirror.shape[0] - h), rng.integers(0, STRIPE - w)
                block = (rng.random((h, w)) < 0.6).astype(np.uint8) * rng.integers(1, 3)
                timed("set_labels", project.set_labels, "img", block, offset=(SEED_ROWS + y, x0 + x))
                view = report.mirror[y : y + h, x : x + w]
                view[block > 0] = block[block > 0]
                report.edits.append(("block", int(y), int(x), block))
            elif step in (1, 4):
                value = int(rng.integers(0, 3))  # 0 erases
                # 6 pixels of margin: the stroke (points +-3, radius 2) never leaves this client's stripe
                centre = [SEED_ROWS + 6 + rng.integers(0, report.mirror.shape[0] - 12), x0 + 6 + rng.integers(0, STRIPE - 12)]
                points = np.array([centre, [centre[0] + rng.integers(-3, 4), centre[1] + rng.integers(-3, 4)]])
                if value:
                    timed("paint", project.paint, "img", value, points, 2.0)
                else:
                    timed("erase", project.erase, "img", points, 2.0)
                region, mask = stroke_mask(points - [SEED_ROWS, x0], 2.0, report.mirror.shape)
                report.mirror[region][mask] = value
                report.edits.append(("stroke", points - [SEED_ROWS, x0], 2.0, value))
            elif step == 2:
                timed("train", project.train)
            else:
                viewport = (slice(SEED_ROWS, SEED_ROWS + 64), slice(x0, x0 + STRIPE))
                result = timed("predict", project.predict, "img", region=viewport)
                if result is not None and result.shape != (64, STRIPE, 2):
                    report.failures.append(f"predict: wrong shape {result.shape}")
        timed("close", project.close)  # the last session to close saves the project
    return report


class Watching:
    """A watcher: its own session on the project, the labels read once, then only events applied."""

    def __init__(self, address: str, path: str):
        from pixframework.client import connect

        self._client = connect(address)
        self._project = self._client.open_project(path)
        self._events = self._project.watch()  # registered on return: no later change is missed
        self.report = WatcherReport(self._project.get_labels("img"))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        report = self.report
        try:
            while not self._stop.is_set() or self._events.revision < self.target:
                event = self._events.next(timeout=0.2)
                if event is None:
                    if self._events.closed:
                        break
                    continue
                report.latencies.append(time.time() - event.time)
                report.events += 1
                if event.kind == "resync":  # the history did not reach back: read again
                    report.resyncs += 1
                    report.labels = self._project.get_labels("img")
                elif event.kind == "labels_changed":
                    if event["patches_omitted"]:
                        report.labels[event["region"]] = self._project.get_labels("img", event["region"])
                    for region, patch in event["patches"]:
                        report.labels[region] = patch
        except Exception as exc:  # counted: the bar is zero failures
            report.failures.append(f"watch: {type(exc).__name__}: {exc}")

    target = 0  # the project's revision the watcher must reach before it stops

    def finish(self, revision: int, timeout: float = 60.0) -> WatcherReport:
        """Follow until ``revision`` arrived, then end the session."""
        self.target = revision
        self._stop.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            self.report.failures.append(f"watch: revision {revision} did not arrive within {timeout:g} s")
        self._events.close()
        self._project.close()
        self._client.close()
        return self.report


def run_clients(
    address: str, path: str, n_clients: int, seconds: float, max_iterations: int, n_watchers: int = 0
) -> tuple[list[ClientReport], list[WatcherReport]]:
    """Run ``n_clients`` client loops in threads until ``seconds`` pass or each did ``max_iterations``,
    with ``n_watchers`` watchers following the project meanwhile."""
    from pixframework.client import connect

    with connect(address) as client:
        holder = client.open_project(path)  # keeps the project open from the watchers' first read to the check
        watchers = [Watching(address, path) for _ in range(n_watchers)]
        deadline = time.monotonic() + seconds
        reports: list[ClientReport | None] = [None] * n_clients

        def run(k: int) -> None:
            reports[k] = client_loop(address, path, k, n_clients, deadline, max_iterations)

        threads = [threading.Thread(target=run, args=(k,)) for k in range(n_clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        revision = holder.summary()["revision"]
        watched = [w.finish(revision) for w in watchers]
        holder.close()
    return [r for r in reports if r is not None], watched


def expected_labels(seed: np.ndarray, reports: list[ClientReport]) -> np.ndarray:
    """The union of the seed and every client's stripe mirror."""
    expected = seed.copy()
    for r in reports:
        expected[SEED_ROWS:, STRIPE * r.index : STRIPE * (r.index + 1)] = r.mirror
    return expected


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000 if values else float("nan")


def _one_run(address: str, n_clients: int, seconds: float, label: str, n_watchers: int = 0) -> tuple[float, bool]:
    from pixframework.client import connect

    path = f"load-{n_clients}.pixf"
    with connect(address) as client:
        seed = prepare_project(client, path, n_clients)
    started = time.monotonic()
    reports, watched = run_clients(address, path, n_clients, seconds, max_iterations=10**9, n_watchers=n_watchers)
    elapsed = time.monotonic() - started
    with connect(address) as client:
        project = client.open_project(path)
        labels = project.get_labels("img")
        project.close(save=False)
    exact = bool(np.array_equal(labels, expected_labels(seed, reports)))
    replayed = all(np.array_equal(w.labels, labels) for w in watched)
    failures = [f for r in reports for f in r.failures] + [f for w in watched for f in w.failures]
    calls = sum(r.calls for r in reports)
    by_kind: dict[str, list[float]] = defaultdict(list)
    for r in reports:
        for kind, values in r.latencies.items():
            by_kind[kind].extend(values)
    print(f"\n{label}: {n_clients} clients, {elapsed:.1f} s, {calls} calls ({calls / elapsed:.1f}/s), "
          f"{len(failures)} failed, final labels exact union: {exact}")  # fmt: skip
    for kind in sorted(by_kind):
        v = by_kind[kind]
        print(f"  {kind:<11} n={len(v):<6} p50 {_percentile(v, 50):7.1f} ms   p95 {_percentile(v, 95):7.1f} ms")
    if watched:
        latencies = [x for w in watched for x in w.latencies]
        print(f"  {len(watched)} watchers: {sum(w.events for w in watched)} events, {sum(w.resyncs for w in watched)} resyncs, "
              f"replay equals the server's labels: {replayed}; event latency p50 {_percentile(latencies, 50):.1f} ms, "
              f"p95 {_percentile(latencies, 95):.1f} ms")  # fmt: skip
    for f in failures[:10]:
        print("  FAILED", f)
    return calls / elapsed, exact and replayed and not failures


def main() -> int:
    from pixframework.server.process import spawn_server

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--watchers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--baseline-seconds", type=float, default=None, help="single-client run length (default: seconds / 4)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (other work skews timings)")
    with tempfile.TemporaryDirectory() as tmp:
        proc, address = spawn_server(tmp, args=["--log-level", "WARNING"])
        try:
            single, ok1 = _one_run(address, 1, args.baseline_seconds or max(2.0, args.seconds / 4), "baseline")
            many, ok2 = _one_run(address, args.clients, args.seconds, "load", args.watchers)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
    print(f"\nthroughput ratio {args.clients} clients / 1 client: {many / single:.2f}")
    print("PASS: zero failed calls, labels are exactly the union of all edits, every watcher's replay equals them" if ok1 and ok2 else "FAIL")
    return 0 if ok1 and ok2 else 1


if __name__ == "__main__":
    sys.exit(main())
