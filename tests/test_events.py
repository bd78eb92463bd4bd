"""Project events in the core: one event per committed change, revisions +1, replaying label
events reproduces the labels, resuming from a revision, resync, per-client undo/redo, and waiting
watchers never holding the project's lock."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from pixframework.errors import Conflict, ValidationError
from pixframework.events import EventLog, acting_as
from pixframework.project import Project

SHAPE = (48, 64)


def _image(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (np.add.outer(np.linspace(0, 1, SHAPE[0]), np.linspace(0, 1, SHAPE[1])) + 0.1 * rng.random(SHAPE)).astype(np.float32)


@pytest.fixture
def project(tmp_path: Path):
    p = Project.create(tmp_path / "e.pixf")
    p.add_image(_image(), name="img")
    p.add_class("bg")
    p.add_class("fg")
    p.select_features([("gaussian_smoothing", 1.0), ("laplacian_of_gaussian", 1.0)])
    yield p
    p.close(save=False)


def drain(watcher) -> list:
    events = []
    while (event := watcher.next(timeout=0)) is not None:
        events.append(event)
    return events


def replay(events, labels: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What a watcher does: apply each label event's patches in order."""
    for event in events:
        if event.kind == "labels_changed":
            assert not event["patches_omitted"]
            for region, patch in event["patches"]:
                labels[event["image"]][region] = patch
    return labels


def test_every_change_is_one_event_with_the_next_revision(project: Project) -> None:
    start = project.summary()["revision"]
    watcher = project.watch(start)
    project.paint("img", "fg", [[10, 10], [10, 30]], radius=2)
    project.erase("img", [[10, 20]], radius=1)
    project.rename_class("bg", "background")
    project.set_class_color("fg", "#00ff00")
    project.add_class("third")
    project.remove_class("third")
    project.add_image(_image(1), name="second")
    project.remove_image("second")
    project.set_classifier("fast_forest", n_estimators=10)
    project.paint("img", "background", [[40, 5], [40, 60]], radius=2)
    project.train()
    project.save()
    events = drain(watcher)
    kinds = [e.kind for e in events]
    assert kinds == [
        "labels_changed", "labels_changed", "class_renamed", "class_recolored", "class_added", "class_removed",
        "image_added", "image_removed", "classifier_changed", "labels_changed", "training_started",
        "training_finished", "project_saved",
    ]  # fmt: skip
    assert [e.revision for e in events] == list(range(start + 1, start + 1 + len(events)))
    assert {e.client for e in events} == {"local"} and len({e.log for e in events}) == 1
    paint, erase = events[0], events[1]
    assert paint["op"] == "paint" and paint["classes"] == [2] and paint["image"] == "img"
    assert erase["op"] == "erase" and erase["classes"] == [0] and 0 < erase["pixels"] < paint["pixels"]
    assert events[2]["old_name"] == "bg" and events[2]["name"] == "background"
    assert events[3]["color"] == "#00ff00" and events[3]["classes"][1]["color"] == "#00ff00"
    assert events[5]["name"] == "third" and [c["name"] for c in events[5]["classes"]] == ["background", "fg"]
    assert events[6]["images"] == ["img", "second"] and events[7]["images"] == ["img"]
    assert events[8]["params"] == {"n_estimators": 10}
    finished = events[11]
    assert finished["model_version"] >= 1 and finished["labels_revision"] == events[9].revision + 1
    assert finished["summary"]["samples"]["fg"] > 0


def test_an_edit_that_changes_nothing_is_no_event(project: Project) -> None:
    watcher = project.watch()
    assert project.erase("img", [[5, 5]], radius=2) > 0  # pixels inside the stroke, but nothing was labelled
    project.clear_labels("img")
    project.select_features(project.features)
    assert drain(watcher) == []


def test_replaying_label_events_reproduces_the_labels(project: Project) -> None:
    watcher = project.watch(0)
    rng = np.random.default_rng(3)
    for i in range(30):
        points = rng.uniform((0, 0), SHAPE, size=(3, 2))
        if i % 5 == 4:
            project.erase("img", points, radius=2)
        else:
            project.paint("img", 1 + i % 2, points, radius=float(rng.integers(0, 4)))
    patch = np.zeros((6, 7), np.uint8)
    patch[1:4, 2:6] = 2
    project.set_labels("img", patch, offset=(20, 30))
    mask = np.zeros(SHAPE, bool)
    mask[:, :10] = True
    project.erase_mask("img", mask)
    project.undo()
    project.undo()
    project.redo()
    project.add_class("extra")
    project.paint("img", "extra", [[24, 24]], radius=5)
    project.remove_class("bg")  # renumbers: labels of fg and extra move down
    project.clear_labels("img", "fg")
    labels = replay(drain(watcher), {"img": np.zeros(SHAPE, np.uint8)})
    np.testing.assert_array_equal(labels["img"], project.get_labels("img"))
    assert project.get_labels("img").any()


def test_a_watcher_resumes_with_exactly_what_it_missed(project: Project) -> None:
    first = project.watch(0)
    project.paint("img", "fg", [[5, 5]], radius=1)
    seen = drain(first)
    first.close()
    assert first.next(timeout=0) is None and first.closed
    project.paint("img", "bg", [[30, 30]], radius=1)
    project.rename_class("fg", "cell")
    resumed = project.watch(seen[-1].revision, log=seen[-1].log)
    missed = drain(resumed)
    assert [e.kind for e in missed] == ["labels_changed", "class_renamed"]
    assert [e.revision for e in missed] == [seen[-1].revision + 1, seen[-1].revision + 2]


def test_resync_when_the_history_is_gone_the_log_changed_or_the_revision_is_unknown(project: Project) -> None:
    small = EventLog(max_events=3)
    for _ in range(5):
        small.emit("project_saved")
    events = drain(small.watch(0))
    assert [e.kind for e in events] == ["resync"] and events[0].revision == 5 and "no longer holds" in events[0]["reason"]
    assert [e.revision for e in drain(small.watch(2))] == [3, 4, 5]  # still held: replayed exactly
    assert drain(small.watch(1))[0].kind == "resync"
    assert "opened anew" in drain(project.watch(0, log="another-log"))[0]["reason"]
    assert "beyond" in drain(project.watch(10**6))[0]["reason"]
    # after a resync the watcher follows the live changes
    watcher = project.watch(10**6)
    project.paint("img", "fg", [[5, 5]], radius=1)
    assert [e.kind for e in drain(watcher)] == ["resync", "labels_changed"]


def test_the_history_is_bounded_by_the_bytes_of_its_label_patches() -> None:
    log = EventLog(max_bytes=100_000)
    patch = ((slice(0, 100), slice(0, 100)), np.zeros((100, 100), np.uint8))
    for _ in range(30):
        log.emit("labels_changed", patches=[patch])
    assert log.revision - log.oldest + 1 <= 10


def test_undo_and_redo_step_through_the_calling_clients_own_edits(project: Project) -> None:
    with acting_as("alice"):
        project.paint("img", "fg", [[10, 5], [10, 40]], radius=2)  # a horizontal bar
    with acting_as("bob"):
        project.paint("img", "bg", [[0, 20], [30, 20]], radius=2)  # a vertical bar over it
        bobs = project.get_labels("img")
    with acting_as("alice"):
        restored = project.undo()
        after_undo = project.get_labels("img")
    # alice's pixels go back to unlabelled, except where bob painted over them: those stay bob's
    assert restored > 0
    assert np.all(after_undo[bobs == 1] == 1)
    assert not np.any(after_undo == 2)
    with acting_as("bob"):
        assert project.undo() > 0
        # each pixel goes back to what it held before bob's stroke: alice's label where they crossed
        crossing = (bobs == 1) & (project.get_labels("img") == 2)
        assert crossing.any() and not np.any(project.get_labels("img")[~crossing])
        assert project.undo() == 0  # nothing left: bob never undoes alice's edit
    with acting_as("alice"):
        assert project.redo() > 0  # writes alice's bar again where the undo had restored it
        redone = project.get_labels("img")
        assert np.all(redone[bobs == 2] == 2) and not np.any(redone == 1)
        project.paint("img", "bg", [[40, 40]], radius=1)
        assert project.redo() == 0  # a new edit clears what could be redone


def test_undo_after_a_class_was_removed_follows_the_renumbering(project: Project) -> None:
    project.add_class("extra")
    project.paint("img", "extra", [[20, 20]], radius=3)
    project.remove_class("bg")  # extra becomes index 2
    project.paint("img", "extra", [[20, 20]], radius=1)  # writes index 2 over index 2: no change
    project.erase("img", [[20, 20]], radius=3)
    project.undo()
    assert set(np.unique(project.get_labels("img"))) == {0, 2}


def test_erase_mask_checks_its_input(project: Project) -> None:
    with pytest.raises(ValidationError, match="do not fit"):
        project.erase_mask("img", np.ones((4, 4), bool), offset=(SHAPE[0] - 2, 0))
    with pytest.raises(ValidationError, match="must be integers"):
        project.erase_mask("img", np.ones((4, 4), np.float32))
    project.paint("img", "fg", [[10, 10]], radius=2)
    assert project.erase_mask("img", np.ones((2, 2), np.uint8), offset=(9, 9)) == 4


def test_a_waiting_watcher_does_not_hold_the_project_lock(project: Project) -> None:
    watcher = project.watch()
    received = []
    reader = threading.Thread(target=lambda: received.append(watcher.next(timeout=30)))
    reader.start()
    project.paint("img", "fg", [[5, 5]], radius=1)  # would block if the waiting reader held the lock
    reader.join(timeout=30)
    assert received and received[0].kind == "labels_changed"
    blocked = threading.Thread(target=lambda: received.append(watcher.next()))
    blocked.start()
    watcher.close()  # wakes a blocked next() from another thread
    blocked.join(timeout=30)
    assert not blocked.is_alive() and received[-1] is None


def test_training_fits_on_a_snapshot_while_others_paint(project: Project) -> None:
    project.paint("img", "bg", [[40, 5], [40, 60]], radius=2)
    project.paint("img", "fg", [[5, 5], [5, 60]], radius=2)
    watcher = project.watch()
    painted = threading.Event()

    def progress(fraction: float, message: str) -> None:
        if message.startswith("training ") and not painted.is_set():  # the fit, after the samples
            # the fit runs without the project's lock: another thread can paint meanwhile
            painter = threading.Thread(target=lambda: project.paint("img", "fg", [[20, 20]], radius=2))
            painter.start()
            painter.join(timeout=30)
            assert not painter.is_alive(), "painting waited for the training"
            painted.set()

    project.train(progress=progress)
    assert painted.is_set()
    events = [e for e in drain(watcher) if e.kind != "training_progress"]
    assert [e.kind for e in events] == ["training_started", "labels_changed", "training_finished"]
    assert events[2]["labels_revision"] == events[0].revision < events[1].revision
    assert project.is_trained


def test_a_training_whose_features_changed_meanwhile_installs_nothing(project: Project) -> None:
    project.paint("img", "bg", [[40, 5], [40, 60]], radius=2)
    project.paint("img", "fg", [[5, 5], [5, 60]], radius=2)
    watcher = project.watch()
    changed = []

    def progress(fraction: float, message: str) -> None:
        if message.startswith("training ") and not changed:
            changed.append(1)
            worker = threading.Thread(target=lambda: project.select_features([("gaussian_smoothing", 2.0)]))
            worker.start()
            worker.join(timeout=30)

    with pytest.raises(Conflict, match="changed while training"):
        project.train(progress=progress)
    assert not project.is_trained
    assert [e.kind for e in drain(watcher) if e.kind != "training_progress"] == [
        "training_started", "features_changed", "training_failed",
    ]  # fmt: skip


def test_progress_reaches_waiting_watchers_without_a_revision_of_its_own(project: Project) -> None:
    project.paint("img", "bg", [[40, 5], [40, 60]], radius=2)
    project.paint("img", "fg", [[5, 5], [5, 60]], radius=2)
    watcher = project.watch()
    seen = []

    def progress(fraction: float, message: str) -> None:
        if message.startswith("training ") and not seen:
            event = watcher.next(timeout=0)
            while event is not None and event.kind != "training_progress":
                seen.append(event)
                event = watcher.next(timeout=0)
            seen.append(event)

    project.train(progress=progress)
    started, progress_event = seen[0], seen[-1]
    assert started.kind == "training_started"
    assert progress_event.kind == "training_progress" and progress_event.revision == started.revision
    assert 0 <= progress_event["fraction"] <= 1
