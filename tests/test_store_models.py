"""Saves keep exactly the model the project references: retraining never leaks model folders."""

from __future__ import annotations

from pathlib import Path

from test_server_support import gradient_image

from pixframework import Project


def _models(project_dir: Path) -> list[str]:
    folder = project_dir / "models"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_train_and_save_cycles_keep_one_model_folder(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.pixf") as project:
        project.add_image(gradient_image(), name="img")
        project.add_class("a")
        project.add_class("b")
        project.set_classifier("fast_forest", n_estimators=3)
        seen = set()
        for cycle in range(4):
            project.paint("img", "a", [[5 + cycle, 5]], radius=2)
            project.paint("img", "b", [[50, 70 - cycle]], radius=2)
            project.train()
            project.save()
            assert len(_models(project.path)) == 1, f"after cycle {cycle}: {_models(project.path)}"
            seen.update(_models(project.path))
        assert len(seen) == 4  # each save wrote a new folder and removed the one before
        project.select_features([("gaussian_smoothing", 1.0)])  # the model no longer fits: none is kept
        project.save()
        assert _models(project.path) == []
    with Project.open(tmp_path / "p.pixf") as again:
        assert not again.is_trained
