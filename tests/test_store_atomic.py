"""Saving is atomic: SIGKILL at random moments of saves leaves the previous or the new save."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from pixframework import Project

SHAPE = (700, 650)  # several label chunks, so a save writes many files

WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from pixframework import Project

    def pattern(k):
        y, x = np.indices({shape})
        return ((y // 7 + x // 5 + k) % 2 + 1).astype(np.uint8)

    p = Project.open(sys.argv[1])
    k = int(sys.argv[2])
    while True:
        k += 1
        p.set_labels("img", pattern(k))
        p.rename_class(2, "gen%d" % k)
        p.save()
        print(k, flush=True)
    """
).format(shape=SHAPE)


def pattern(k: int) -> np.ndarray:
    y, x = np.indices(SHAPE)
    return ((y // 7 + x // 5 + k) % 2 + 1).astype(np.uint8)


@pytest.mark.slow
def test_sigkill_during_saves_never_damages_the_project(tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    with Project.create(tmp_path / "atomic.pixf") as p:
        p.add_image(np.zeros(SHAPE, np.uint8), name="img")
        p.add_class("a")
        p.add_class("gen0")
        p.set_labels("img", pattern(0))
    rng = random.Random(1234)
    generation = 0
    seen_saves = 0
    for attempt in range(20):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(tmp_path / "atomic.pixf"), str(generation)],
            stdout=subprocess.PIPE,
            text=True,
        )
        # wait until the writer is saving (first line), then kill it at a random moment
        first = proc.stdout.readline()
        assert first.strip(), "writer did not start saving"
        time.sleep(rng.uniform(0.0, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        completed = [int(line) for line in (first + out).split()]
        seen_saves += len(completed)
        with Project.open(tmp_path / "atomic.pixf") as q:
            name = q.classes[1]["name"]
            k = int(name[3:])
            # the state on disk is one complete save: its labels match its class name exactly
            assert completed[-1] <= k <= completed[-1] + 1, (completed[-1], k)
            np.testing.assert_array_equal(q.get_labels("img"), pattern(k))
            generation = k
            q.close(save=False)
    assert seen_saves >= 20
    # no leftovers pile up beyond the live generation plus at most one interrupted save per kill
    assert len(os.listdir(tmp_path / "atomic.pixf" / "labels")) <= 21
