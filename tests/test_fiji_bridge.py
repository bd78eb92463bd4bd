"""The Fiji/ImageJ bridge (plugins/fiji-bridge) against a real server: same results as the Python client.

The jar is built with ``bash plugins/fiji-bridge/build.sh`` when missing or older than its sources
(skipped, with the reason, only when the JDK or the Debian jars are not installed). A Java driver
runs the ImageJ commands with macro options, headless, and writes what ImageJ got back as .npy files;
the same inputs go through the Python client here and must give identical labels, probabilities and
segmentations. A macro runs the commands the way a headless batch job would.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import tifffile
from skimage import data as skdata
from test_server_support import running_server

from pixframework.client import connect
from pixframework.server.app import create_server

REPO = Path(__file__).resolve().parents[1]
BRIDGE = REPO / "plugins" / "fiji-bridge"
BUILD = BRIDGE / "build"
JAR = BUILD / "pixframework_bridge.jar"
SHADED_JAR = BUILD / "pixframework_bridge-all.jar"
JAVA_JARS = Path(os.environ.get("JAVA_JARS", "/usr/share/java"))
IJ_JAR = JAVA_JARS / "ij.jar"
TOKEN = "fiji-test-token"

#: the prediction box (x, y, width, height) and the labelled rectangles: (class, x, y, width, height);
#: the overlay carries all but the last, the last is sent as the selection with an explicit class
BOX = (40, 64, 192, 128)
ROIS = [("background", 5, 5, 60, 20), ("background", 200, 280, 150, 15), ("coins", 45, 45, 10, 12),
        ("coins", 220, 115, 14, 10)]  # fmt: skip
CLASSES = ["background", "coins"]
JAVA_TIMEOUT = 180


def _sources_newer_than_jar() -> bool:
    if not JAR.exists() or not (BUILD / "test-classes").exists():
        return True
    if (JAVA_JARS / "jarjar.jar").exists() and not SHADED_JAR.exists():
        return True
    built = JAR.stat().st_mtime
    inputs = [BRIDGE / "build.sh", BRIDGE / "plugins.config", *BRIDGE.glob("src/**/*.java"),
              *(REPO / "protos").glob("**/*.proto")]  # fmt: skip
    return any(p.stat().st_mtime > built for p in inputs)


@pytest.fixture(scope="module")
def bridge() -> str:
    """Class path of ImageJ, the bridge, its dependency jars and the test driver (building them if needed)."""
    if shutil.which("javac") is None or shutil.which("java") is None:
        pytest.skip("no JDK: apt-get install default-jdk-headless (see plugins/fiji-bridge/build.sh)")
    with open(BRIDGE / ".build.lock", "w") as lock:  # the lock build.sh takes: one build at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _sources_newer_than_jar():
            env = dict(os.environ, PIXF_FIJI_BUILD_LOCKED="1")
            done = subprocess.run(["bash", str(BRIDGE / "build.sh")], capture_output=True, text=True, timeout=600,
                                  env=env, check=False)  # fmt: skip
            if done.returncode == 2:  # build.sh's code for missing packages
                pytest.skip(f"Fiji bridge not buildable here: {done.stderr.strip()}")
            assert done.returncode == 0, f"build.sh failed:\n{done.stdout}\n{done.stderr}"
    libs = (BUILD / "classpath.txt").read_text().strip()
    return os.pathsep.join([str(IJ_JAR), str(JAR), libs, str(BUILD / "test-classes")])


def _java(classpath: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PIXF_TOKEN"}  # the no-token case must stay tokenless
    return subprocess.run(
        ["java", "-Djava.awt.headless=true", "-Xmx1g", "-cp", classpath, *args],
        capture_output=True, text=True, timeout=JAVA_TIMEOUT, cwd=cwd, env=env, check=False,
    )  # fmt: skip


def _no_stack_trace(text: str) -> None:
    assert "\tat " not in text and "Exception" not in text, f"a stack trace reached the user:\n{text}"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """An open server and one that needs a token, each on 127.0.0.1 with its own data root."""
    root = tmp_path_factory.mktemp("fiji-data")
    secured = tmp_path_factory.mktemp("fiji-secured")
    with running_server(root) as (_, address), running_server(secured, token=TOKEN) as (_, auth_address):
        yield {"root": root, "address": address, "auth_address": auth_address}


def _expected_labels(shape: tuple[int, int]) -> np.ndarray:
    labels = np.zeros(shape, np.uint8)
    for name, x, y, w, h in ROIS:
        labels[y : y + h, x : x + w] = CLASSES.index(name) + 1
    return labels


@pytest.fixture(scope="module")
def python_results(servers: dict[str, object]) -> dict[str, np.ndarray]:
    """The same workflow through the Python client: labels, box and whole-image predictions."""
    coins = skdata.coins()
    x, y, w, h = BOX
    box = (slice(y, y + h), slice(x, x + w))
    with connect(str(servers["address"])) as client, client.create_project("python.pixf") as p:
        p.add_image(coins, name="coins", axes="yx")
        for name in CLASSES:
            p.add_class(name)
        p.set_labels("coins", _expected_labels(coins.shape))
        p.train()
        flipped = p.add_image(coins[::-1].copy(), name="flipped", axes="yx")
        return {
            "labels": p.get_labels("coins"),
            "box_probabilities": p.predict("coins", region=box, output="probabilities"),
            "box_segmentation": p.predict("coins", region=box, output="segmentation"),
            "whole_segmentation": p.predict("coins", output="segmentation"),
            "flipped_segmentation": p.predict(flipped, output="segmentation"),
        }


@pytest.fixture(scope="module")
def driver_run(
    bridge: str, servers: dict[str, object], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """Run the Java driver once; returns its work directory and its console output."""
    work = tmp_path_factory.mktemp("fiji-work")
    tifffile.imwrite(work / "coins.tif", skdata.coins())
    lines = [" ".join(str(v) for v in ("box", *BOX))] + [" ".join(str(v) for v in roi) for roi in ROIS]
    (work / "rois.txt").write_text("\n".join(lines) + "\n")
    done = _java(bridge, "org.pixframework.fiji.test.BridgeDriver", str(servers["address"]),
                 str(servers["auth_address"]), TOKEN, str(work), cwd=work)  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0 and "DRIVER OK" in done.stdout, output
    return work, output


def test_rois_become_the_same_labels_as_numpy_rectangles(
    driver_run: tuple[Path, str], python_results: dict
) -> None:
    work, _ = driver_run
    labels = np.load(work / "labels.npy", allow_pickle=False)
    np.testing.assert_array_equal(labels, _expected_labels(skdata.coins().shape))
    np.testing.assert_array_equal(labels, python_results["labels"])


def test_imagej_predictions_equal_the_python_client(
    driver_run: tuple[Path, str], python_results: dict
) -> None:
    work, _ = driver_run
    box_segmentation = np.load(work / "box_segmentation.npy", allow_pickle=False)
    assert box_segmentation.shape == (1, BOX[3], BOX[2])
    np.testing.assert_array_equal(box_segmentation[0], python_results["box_segmentation"])
    assert set(np.unique(box_segmentation)) == {1, 2}  # both classes found: a real comparison
    # ImageJ's stack has one slice per class: (C, y, x) -> (y, x, C) as the Python client returns it
    probabilities = np.load(work / "box_probabilities.npy", allow_pickle=False).transpose(1, 2, 0)
    np.testing.assert_array_equal(probabilities, python_results["box_probabilities"])
    whole = np.load(work / "whole_segmentation.npy", allow_pickle=False)
    np.testing.assert_array_equal(whole[0], python_results["whole_segmentation"])
    flipped = np.load(work / "flipped_segmentation.npy", allow_pickle=False)
    np.testing.assert_array_equal(flipped[0], python_results["flipped_segmentation"])


def test_probability_slices_are_named_by_class(driver_run: tuple[Path, str]) -> None:
    work, _ = driver_run
    assert (work / "class_names.txt").read_text().split("\n")[:-1] == CLASSES


def test_server_errors_are_one_clear_message(driver_run: tuple[Path, str]) -> None:
    work, output = driver_run
    errors = dict(line.split("\t", 1) for line in (work / "errors.tsv").read_text().splitlines())
    # the server names the remedy; the bridge words it for ImageJ (no Python calls)
    assert errors["predict_before_train"] == "the classifier is not trained; run 'pixframework Train' first"
    assert (
        errors["outside_data_root"].startswith("Not allowed:") and "data root" in errors["outside_data_root"]
    )
    for case in ("wrong_token", "no_token"):
        assert "needs a valid token" in errors[case] and "pixframework Connect" in errors[case]
    assert "No pixframework server answered at 127.0.0.1:1" in errors["no_server"]
    assert "no project at 'missing.pixf'" in errors["no_project"]
    assert "unknown option 'outputs'" in errors["unknown_option"] and "output" in errors["unknown_option"]
    _no_stack_trace(output)


def test_rois_of_every_kind_label_their_own_slice(driver_run: tuple[Path, str]) -> None:
    """Oval on slice 1, points on slice 2, a 5-pixel-wide line on the last slice of a 64x64x40 stack."""
    work, _ = driver_run
    labels = np.load(work / "shapes_labels.npy", allow_pickle=False)
    assert labels.shape == (40, 64, 64)
    assert not labels[2:-1].any()
    oval = np.argwhere(labels[0] == 1)
    assert (
        oval[:, 0].min() >= 12 and oval[:, 0].max() < 26 and oval[:, 1].min() >= 10 and oval[:, 1].max() < 30
    )
    assert abs(len(oval) - np.pi * 10 * 7) < 0.1 * np.pi * 10 * 7 and labels[0, 19, 20] == 1
    assert not (labels[0] == 2).any()
    np.testing.assert_array_equal(np.argwhere(labels[1]), [[20, 40], [22, 41]])
    line = np.argwhere(labels[-1] == 2)
    assert (
        line[:, 0].min() >= 47 and line[:, 0].max() <= 53 and line[:, 1].min() >= 3 and line[:, 1].max() <= 47
    )
    assert 5 * 38 <= len(line) <= 7 * 44 and not (labels[-1] == 1).any()


MACRO = """
dir = getArgument();
target = "server=%(address)s project=macro.pixf";
open(dir + "coins.tif");
run("pixframework Project", target + " mode=replace");
%(rois)s
run("Select None");
run("pixframework Send ROIs", target + " source=overlay");
run("pixframework Train", target);
run("pixframework Predict", target + " output=segmentation");
saveAs("Tiff", dir + "macro_segmentation.tif");
run("pixframework Export", target + " image=coins path=exports/{nickname}_{result_type}.tif output=segmentation");
print("macro done");
"""


@pytest.mark.parametrize("layout", ["separate jars", "one shaded jar"])
def test_headless_macro_gives_the_python_segmentation(bridge: str, servers: dict, python_results: dict,
                                                      tmp_path: Path, layout: str) -> None:  # fmt: skip
    """The macro form, headless, with the jars laid out as for ImageJ 1.x or as the single jar for Fiji."""
    classpath = bridge
    if layout == "one shaded jar":
        if not SHADED_JAR.exists():
            pytest.skip("pixframework_bridge-all.jar not built (apt-get install libjarjar-java)")
        classpath = os.pathsep.join([str(IJ_JAR), str(SHADED_JAR)])
    tifffile.imwrite(tmp_path / "coins.tif", skdata.coins())
    rois = "\n".join(
        f'makeRectangle({x}, {y}, {w}, {h}); Roi.setName("{name}"); Overlay.addSelection;'
        for name, x, y, w, h in ROIS
    )
    (tmp_path / "batch.ijm").write_text(MACRO % {"address": servers["address"], "rois": rois})
    done = _java(classpath, "org.pixframework.fiji.HeadlessBatch", str(tmp_path / "batch.ijm"), f"{tmp_path}/",
                 cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0 and "macro done" in done.stdout, done.stdout + done.stderr
    segmentation = tifffile.imread(tmp_path / "macro_segmentation.tif")
    np.testing.assert_array_equal(segmentation, python_results["whole_segmentation"])
    exported = tifffile.imread(Path(str(servers["root"])) / "exports" / "coins_Simple Segmentation.tif")
    np.testing.assert_array_equal(np.squeeze(exported), python_results["whole_segmentation"])
    # the project was saved with its model when ImageJ exited: it predicts the same again
    with connect(str(servers["address"])) as client, client.open_project("macro.pixf") as p:
        assert p.is_trained
        np.testing.assert_array_equal(
            p.predict("coins", output="segmentation"), python_results["whole_segmentation"]
        )


def test_headless_macro_stops_at_a_server_error(bridge: str, servers: dict, tmp_path: Path) -> None:
    address = servers["address"]
    macro = f"""
newImage("blank", "8-bit ramp", 64, 64, 1);
run("pixframework Predict", "server={address} project=nowhere.pixf output=segmentation");
print("after the error");
"""
    (tmp_path / "bad.ijm").write_text(macro)
    done = _java(bridge, "org.pixframework.fiji.HeadlessBatch", str(tmp_path / "bad.ijm"), cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "pixframework Predict failed: no project at 'nowhere.pixf'" in output
    assert "after the error" not in output
    _no_stack_trace(output)


@pytest.mark.parametrize("layout", ["separate jars", "one shaded jar"])
def test_tls_connects_and_verifies_the_server(bridge: str, tmp_path: Path, layout: str) -> None:
    """TLS must work (with ALPN from the JDK where Netty lacks it), verify the server against the
    given CA (another CA is refused), and a plain client must not get through either."""
    from test_server_security import _self_signed

    classpath = bridge if layout == "separate jars" else os.pathsep.join([str(IJ_JAR), str(SHADED_JAR), str(BUILD / "test-classes")])
    cert, key = _self_signed(tmp_path)
    (tmp_path / "ca.pem").write_bytes(cert)
    (tmp_path / "other-ca.pem").write_bytes(_self_signed(tmp_path)[0])
    root = tmp_path / "data"
    root.mkdir()
    server, port = create_server("localhost:0", data_root=root, tls_cert=cert, tls_key=key, token=TOKEN)
    server.start()
    try:
        probe = ("org.pixframework.fiji.test.BridgeProbe", "connect")
        done = _java(classpath, *probe, f"server=localhost:{port} token={TOKEN} tls={tmp_path / 'ca.pem'}", cwd=tmp_path)
        assert done.stdout.strip().splitlines()[-1] == "OK", done.stdout + done.stderr
        assert "TLS" in done.stdout  # the server said it speaks TLS, over the TLS connection
        _no_stack_trace(done.stdout + done.stderr)
        wrong = _java(classpath, *probe, f"server=localhost:{port} token={TOKEN} tls={tmp_path / 'other-ca.pem'} timeout=5",
                      cwd=tmp_path)  # fmt: skip
        assert wrong.stdout.strip().splitlines()[-1].startswith("FAILED: The TLS handshake with localhost:"), (
            wrong.stdout + wrong.stderr
        )
        _no_stack_trace(wrong.stdout + wrong.stderr)
        plain = _java(classpath, *probe, f"server=localhost:{port} token={TOKEN} timeout=3", cwd=tmp_path)
        assert "FAILED: No pixframework server answered at localhost:" in plain.stdout, (
            plain.stdout + plain.stderr
        )
        _no_stack_trace(plain.stdout + plain.stderr)
    finally:
        server.stop(grace=0)


def _probe_until(bridge: str, ready: str, *args: str) -> tuple[subprocess.Popen, str]:
    """Start BridgeProbe with ``args``; returns it and its first line starting with ``ready`` (or fails)."""
    probe = subprocess.Popen(
        ["java", "-Djava.awt.headless=true", "-cp", bridge, "org.pixframework.fiji.test.BridgeProbe", *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    seen = []
    for line in probe.stdout:  # ImageJ's log lines come first
        seen.append(line)
        if line.startswith((ready, "FAILED")):
            break
    if not (seen and seen[-1].startswith(ready)):
        probe.kill()
        probe.wait()
        raise AssertionError("".join(seen))
    return probe, seen[-1]


def test_a_session_the_server_closed_is_reopened(bridge: str, tmp_path: Path) -> None:
    """ImageJ may sit idle longer than the server's idle timeout: the next command opens the project again."""
    root = tmp_path / "data"
    root.mkdir()
    with running_server(root) as (server, address):
        probe, opened = _probe_until(bridge, "OPENED ", "expiry", address, "idle.pixf")
        try:
            first = opened.split()[1]
            assert server.sessions.reap_idle(now=time.time() + 10 * server.sessions.idle_timeout) == [first]
            out, _ = probe.communicate("go\n", timeout=JAVA_TIMEOUT)
        finally:
            probe.kill()
            probe.wait()
    reopened = next((line for line in out.splitlines() if line.startswith("REOPENED ")), None)
    assert reopened is not None, out
    second, summary = reopened.split(" ", 2)[1:]
    assert second != first and '"images": []' in summary, out


def test_imagej_follows_a_projects_changes_and_undoes_its_own_edits(bridge: str, tmp_path: Path) -> None:
    """Java gets the events from the protocol: a Python client's changes arrive in the bridge as they
    commit, named by the client that made them; Undo from the bridge never undoes the Python client's edit."""
    root = tmp_path / "data"
    root.mkdir()
    with running_server(root) as (_, address), connect(address) as client:
        with client.create_project("live.pixf") as setup:
            setup.add_image(np.zeros((16, 16), np.float32), name="img")
        probe, _ = _probe_until(bridge, "WATCHING", "watch", address, "live.pixf", "3")
        try:
            p = client.open_project("live.pixf")
            p.add_class("cell")
            p.paint("img", "cell", [[4, 4], [4, 12]], radius=1)
            p.rename_class("cell", "nucleus")
            out, _ = probe.communicate(timeout=JAVA_TIMEOUT)
        finally:
            probe.kill()
            probe.wait()
        events = [line.split()[1:] for line in out.splitlines() if line.startswith("EVENT ")]
        assert [kind for _, kind, _ in events] == ["class_added", "labels_changed", "class_renamed"], out
        assert {who for _, _, who in events} == {p.client}
        assert [int(r) for r, _, _ in events] == sorted(int(r) for r, _, _ in events)
        assert "UNDONE 0" in out  # the bridge's session made no edit: the Python client's stroke stays
        assert p.label_counts()["img"]["nucleus"] > 0
        p.close()


def test_3d_predictions_equal_the_python_client(driver_run: tuple[Path, str], servers: dict) -> None:
    """The stack the driver labelled and trained on, predicted again by the Python client."""
    work, _ = driver_run
    with connect(str(servers["address"])) as client, client.open_project("shapes.pixf") as p:
        expected_probabilities = p.predict("volume", output="probabilities")
        expected_segmentation = p.predict("volume", output="segmentation")
    segmentation = np.load(work / "volume_segmentation.npy", allow_pickle=False)
    np.testing.assert_array_equal(segmentation, expected_segmentation)
    # ImageJ's hyperstack order is channel fastest, then z: (z*C + c, y, x) -> (z, y, x, c)
    stack = np.load(work / "volume_probabilities.npy", allow_pickle=False)
    probabilities = stack.reshape(40, 2, 64, 64).transpose(0, 2, 3, 1)
    np.testing.assert_array_equal(probabilities, expected_probabilities)


def test_pixel_types_and_stacks_arrive_in_canonical_axes(driver_run: tuple[Path, str], servers: dict) -> None:
    y, x = np.mgrid[0:30, 0:40]
    z, c = np.arange(3)[:, None, None, None], np.arange(2)
    expected = {
        ("grey.pixf", "g16"): (3 * x + 1000 * y).astype(np.uint16)[..., None],
        ("grey.pixf", "f32"): (0.5 * x - 0.25 * y).astype(np.float32)[..., None],
        ("rgb.pixf", "rgb"): np.stack([5 * x, 7 * y, np.full_like(x, 200)], axis=-1).astype(np.uint8),
        ("hyper.pixf", "hyper"): (x[..., None] + y[..., None] + 60 * z + 5 * c).astype(np.uint8),
    }
    with connect(str(servers["address"])) as client:
        for (project, image), array in expected.items():
            with client.open_project(project) as p:
                pixels = p.read_image(image)
                assert pixels.dtype == array.dtype, (image, pixels.dtype)
                np.testing.assert_array_equal(pixels, array, err_msg=image)
