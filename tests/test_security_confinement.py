"""Security regressions: nothing a client names, and nothing a file inside the data root points to,
lets the server read or write outside its data root (one confinement check for all of it)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Iterator

import h5py
import numpy as np
import pytest
import zarr
from test_server_support import gradient_image, labelled, running_server

from pixframework import Project
from pixframework.client import Client, connect
from pixframework.errors import PermissionDenied, ValidationError

SECRET = b"the lab's secret numbers, outside the data root".ljust(64, b".")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Path, Path, Client]]:
    """``(data_root, outside, client)``: a server on ``data_root``; ``outside`` holds a secret file."""
    root, outside = tmp_path / "data", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.bin").write_bytes(SECRET)
    with running_server(root) as (_, address), connect(address) as client:
        yield root, outside, client


def _refused(client: Client, path: str) -> None:
    """Adding ``path`` is refused, or (formats that read pixels lazily) reading its pixels is."""
    project = client.create_project(f"p{abs(hash(path)) % 10**6}.pixf")
    with pytest.raises(PermissionDenied, match="data root"):
        name = project.add_image(path)
        project.read_image(name)
    project.close(save=False)


def _passwd_shape() -> tuple[int, int]:
    size = os.path.getsize("/etc/passwd") // 2 * 2
    assert size >= 4
    return 2, size // 2


# --------------------------------------------------------------------------- HDF5


def test_etc_passwd_cannot_be_read_through_hdf5_external_storage(world: tuple[Path, Path, Client]) -> None:
    root, _, client = world
    shape = _passwd_shape()
    with h5py.File(root / "innocent.h5", "w") as f:
        f.create_dataset("raw", shape=shape, dtype="u1", external=[("/etc/passwd", 0, shape[0] * shape[1])])
    with h5py.File(root / "innocent.h5", "r") as f:  # the file really would leak it
        assert f["raw"][...].tobytes() == Path("/etc/passwd").read_bytes()[: shape[0] * shape[1]]
    _refused(client, "innocent.h5/raw")


def test_hdf5_external_links_and_virtual_datasets_stay_inside(world: tuple[Path, Path, Client]) -> None:
    root, outside, client = world
    secret = np.frombuffer(SECRET, np.uint8).reshape(8, 8)
    with h5py.File(outside / "secret.h5", "w") as f:
        f["data"] = secret
        f.create_group("group")["data"] = secret
    with h5py.File(root / "links.h5", "w") as f:
        f["raw"] = h5py.ExternalLink(str(outside / "secret.h5"), "/data")
        f["via_group"] = h5py.ExternalLink(os.path.relpath(outside / "secret.h5", root), "/group")
        layout = h5py.VirtualLayout(shape=(8, 8), dtype="u1")
        layout[:] = h5py.VirtualSource(str(outside / "secret.h5"), "data", shape=(8, 8))
        f.create_virtual_dataset("virtual", layout)
    with h5py.File(root / "links.h5", "r") as f:
        assert f["raw"][...].tobytes() == SECRET and f["virtual"][...].tobytes() == SECRET
    for inner in ("raw", "via_group/data", "virtual"):
        _refused(client, f"links.h5/{inner}")
    # links that stay inside the data root keep working
    with h5py.File(root / "inside.h5", "w") as f:
        f["data"] = gradient_image()
    with h5py.File(root / "linked.h5", "w") as f:
        f["raw"] = h5py.ExternalLink("inside.h5", "/data")
    project = client.create_project("fine.pixf")
    assert project.add_image("linked.h5/raw", name="linked") == "linked"
    np.testing.assert_array_equal(project.read_image("linked")[..., 0], gradient_image())


def test_exports_do_not_write_through_hdf5_external_links(world: tuple[Path, Path, Client]) -> None:
    root, outside, client = world
    with h5py.File(outside / "victim.h5", "w") as f:
        f.create_group("results")
    with h5py.File(root / "out.h5", "w") as f:
        f["results"] = h5py.ExternalLink(str(outside / "victim.h5"), "/results")
    project = _trained(client)
    with pytest.raises(PermissionDenied):
        project.export("img", "out.h5/results/segmentation", output="segmentation")
    with h5py.File(outside / "victim.h5", "r") as f:
        assert list(f["results"]) == []


# --------------------------------------------------------------------------- zarr


def _zarr_image(path: Path) -> zarr.Array:
    array = zarr.create_array(store=str(path), shape=(8, 8), chunks=(8, 8), dtype="u1", compressors=None, zarr_format=3)
    array[...] = np.arange(64, dtype=np.uint8).reshape(8, 8)
    return array


def test_symlinked_zarr_chunks_and_folders_stay_inside(world: tuple[Path, Path, Client]) -> None:
    root, outside, client = world
    _zarr_image(root / "chunk.zarr")
    chunk = root / "chunk.zarr" / "c" / "0" / "0"
    chunk.unlink()
    chunk.symlink_to(outside / "secret.bin")
    assert zarr.open_array(str(root / "chunk.zarr"))[...].tobytes() == SECRET  # unconfined, it leaks
    _refused(client, "chunk.zarr")
    # a chunk folder that is a link to a folder outside
    _zarr_image(outside / "elsewhere.zarr")
    _zarr_image(root / "folder.zarr")
    shutil.rmtree(root / "folder.zarr" / "c")
    (root / "folder.zarr" / "c").symlink_to(outside / "elsewhere.zarr" / "c")
    _refused(client, "folder.zarr")
    # the store itself behind a link
    (root / "whole.zarr").symlink_to(outside / "elsewhere.zarr")
    _refused(client, "whole.zarr")


def test_a_project_file_cannot_point_outside(world: tuple[Path, Path, Client]) -> None:
    root, outside, client = world
    np.save(outside / "secret.npy", np.frombuffer(SECRET, np.uint8).reshape(8, 8))
    with Project.create(root / "crafted.pixf") as project:
        project.add_image(str(outside / "secret.npy"), name="secret")  # embedded use is not confined
    meta = json.loads((root / "crafted.pixf" / "project.json").read_text())
    meta["images"][0]["source"]["relpath"] = "../../outside/secret.npy"
    (root / "crafted.pixf" / "project.json").write_text(json.dumps(meta))
    remote = client.open_project("crafted.pixf")
    with pytest.raises(PermissionDenied, match="data root"):
        remote.read_image("secret")
    remote.close(save=False)


# --------------------------------------------------------------------------- exports


def _trained(client: Client, name: str = "img", project: str = "export.pixf") -> object:
    remote = labelled(client.create_project(project), name)
    remote.set_classifier("fast_forest", n_estimators=3)
    remote.train()
    return remote


def test_export_templates_are_rendered_once_and_confined(world: tuple[Path, Path, Client]) -> None:
    root, outside, client = world
    project = _trained(client, name="br{ace")
    written = project.export("br{ace", "results/{nickname}_{result_type}.tif", output="segmentation")
    assert written == "results/br{ace_Simple Segmentation.tif" and (root / written).is_file()
    with pytest.raises(ValidationError, match="without a closing"):
        project.export("br{ace", "results/{nickname", output="segmentation")
    with pytest.raises(ValidationError, match="unknown placeholder"):
        project.export("br{ace", "results/{home}.tif", output="segmentation")
    (root / "outlink").symlink_to(outside)
    for template in ["../escape.tif", "{dataset_dir}/../escape.tif", str(outside / "x.tif"), "outlink/x.tif",
                     "~/x.tif/../../x.tif"]:  # fmt: skip
        with pytest.raises(PermissionDenied):
            project.export("br{ace", template, output="segmentation")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.bin"]


def test_exports_never_overwrite_inputs_or_project_files(world: tuple[Path, Path, Client]) -> None:
    root, _, client = world
    np.save(root / "cells.npy", gradient_image())
    project = _trained(client)
    project.add_image("cells.npy")
    before = (root / "cells.npy").read_bytes()
    for target in ["cells.npy", "{dataset_dir}/{nickname}.npy"]:
        with pytest.raises(ValidationError, match="input image 'cells'"):
            project.export("cells", target, output="segmentation")
    for target in ["export.pixf/project.json", "export.pixf/labels/x.tif", "."]:
        with pytest.raises(ValidationError, match="project folder"):
            project.export("img", target, output="segmentation")
    assert (root / "cells.npy").read_bytes() == before
    assert project.export("cells", "{nickname}_result.npy", output="segmentation") == "cells_result.npy"


def test_embedded_exports_refuse_inputs_too(tmp_path: Path) -> None:
    image = tmp_path / "cells.npy"
    np.save(image, gradient_image())
    with Project.create(tmp_path / "p.pixf") as project:
        labelled(project)
        project.add_image(str(image))
        project.train()
        with pytest.raises(ValidationError, match="input image"):
            project.export("cells", str(image), output="segmentation")


# --------------------------------------------------------------------------- projects


def test_projects_are_never_the_root_or_beside_it(world: tuple[Path, Path, Client]) -> None:
    root, outside, client = world
    for path in [".", "./", "", str(root), "a/.."]:
        with pytest.raises((PermissionDenied, ValidationError)):
            client.create_project(path, overwrite=True)
    assert not (root.parent / "data.pixf").exists() and root.is_dir()
    # overwrite may only replace a project directory inside the root, never one a link points to
    with Project.create(outside / "theirs.pixf"):
        pass
    (root / "mine.pixf").symlink_to(outside / "theirs.pixf")
    with pytest.raises(PermissionDenied):
        client.create_project("mine", overwrite=True)
    assert (outside / "theirs.pixf" / "project.json").is_file()
    with pytest.raises(PermissionDenied):
        client.open_project(".")


def test_names_are_checked_where_they_enter(world: tuple[Path, Path, Client], tmp_path: Path) -> None:
    _, _, client = world
    remote = client.create_project("names.pixf")
    with Project.create(tmp_path / "embedded.pixf") as embedded:
        for project in (remote, embedded):
            for bad, message in [("a/b", "may not contain"), ("..", "dots"), ("tab\there", "control"),
                                 ("x" * 256, "255"), (" padded", "spaces"), ("", "non-empty")]:  # fmt: skip
                with pytest.raises(ValidationError, match=message):
                    project.add_class(bad)
                if bad:  # over the wire an empty name means "choose one"
                    with pytest.raises(ValidationError, match=message):
                        project.add_image(gradient_image(), name=bad)
            assert project.add_class("é" * 127) == 1  # 254 bytes of UTF-8 is fine
            project.add_image(gradient_image(), name="br{ace")
            with pytest.raises(ValidationError, match="may not contain"):
                project.rename_class(1, "../up")
    with pytest.raises(ValidationError, match="255"):
        client.create_project("y" * 300 + ".pixf")


def test_the_servers_own_secrets_are_outside_too(world: tuple[Path, Path, Client]) -> None:
    """/proc/self/environ (where a token may live) is refused like any file outside the root."""
    root, _, client = world
    _zarr_image(root / "env.zarr")
    chunk = root / "env.zarr" / "c" / "0" / "0"
    chunk.unlink()
    chunk.symlink_to("/proc/self/environ")
    _refused(client, "env.zarr")
