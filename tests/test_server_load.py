"""Short load test: concurrent clients on one project mixing edits, training and prediction, while
watchers follow its events (benchmarks/bench_load.py runs the same loop with 16 clients and 4
watchers for 60 s). The expected labels are rebuilt from each client's log of edits with the
independent brush (tests/brush_reference.py), not with the server's own stroke code; each watcher's
replay of its events must give the same labels."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
from brush_reference import brush_pixels
from test_server_support import data_root, running_server  # noqa: F401  (fixture)

from pixframework.client import connect
from pixframework.project import Project

_spec = importlib.util.spec_from_file_location("bench_load", Path(__file__).parents[1] / "benchmarks" / "bench_load.py")
bench_load = importlib.util.module_from_spec(_spec)
sys.modules["bench_load"] = bench_load  # dataclasses look their module up there
_spec.loader.exec_module(bench_load)


def _replay(seed: np.ndarray, reports: list) -> np.ndarray:
    """The labels the clients' edits must leave, each stripe replayed in its client's order."""
    expected = seed.copy()
    for r in reports:
        stripe = np.zeros_like(r.mirror)
        for kind, *args in r.edits:
            if kind == "block":
                y, x, block = args
                view = stripe[y : y + block.shape[0], x : x + block.shape[1]]
                view[block > 0] = block[block > 0]
            else:
                points, radius, value = args
                stripe[brush_pixels(points, radius, stripe.shape)] = value
        expected[bench_load.SEED_ROWS :, bench_load.STRIPE * r.index : bench_load.STRIPE * (r.index + 1)] = stripe
    return expected


def test_concurrent_clients_mixing_edits_training_and_prediction(data_root: Path) -> None:
    n_clients = 4
    with running_server(data_root) as (_, address):
        with connect(address) as client:
            seed = bench_load.prepare_project(client, "load.pixf", n_clients)
        reports, watched = bench_load.run_clients(address, "load.pixf", n_clients, seconds=60, max_iterations=13, n_watchers=2)
        failures = [f for r in reports for f in r.failures] + [f for w in watched for f in w.failures]
        assert len(reports) == n_clients and not failures, failures
        kinds = {kind for r in reports for kind in r.latencies}
        assert {"set_labels", "paint", "erase", "train", "predict"} <= kinds
        expected = _replay(seed, reports)
        assert sum(kind == "stroke" for r in reports for kind, *_ in r.edits) >= n_clients
        with connect(address) as client:
            project = client.open_project("load.pixf")
            np.testing.assert_array_equal(project.get_labels("img"), expected)
            project.close()
    for watcher in watched:  # each watcher's replay of the events it received gives the server's labels
        assert watcher.events > 0 and watcher.resyncs == 0
        np.testing.assert_array_equal(watcher.labels, expected)
    with Project.open(data_root / "load.pixf") as saved:
        np.testing.assert_array_equal(saved.get_labels("img"), expected)
