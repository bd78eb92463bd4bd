"""Error texts are written for the person reading them: the CLI names its flags and commands, napari
its fields and buttons, gRPC the same facts for any client, and Python speaks Python. Each check
is a case that once came out as ``unexpected error (TypeError)``, INTERNAL, a misleading reason,
a doubled sentence or a Python call in the wrong place."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import grpc
import numpy as np
import pytest
from test_server_support import running_server

from pixframework import Project
from pixframework._proto.v1 import prediction_pb2
from pixframework.cli import main
from pixframework.client import connect
from pixframework.commands.messages import CLI_WORDS
from pixframework.errors import PYTHON_WORDS, NotTrained, Remedy, ValidationError
from pixframework.server.app import create_server
from pixframework.synthetic import cells
from pixframework.wire.status import WIRE_WORDS

PYTHON_SPEAK = re.compile(r"\w+\(\)|\b\w+=")  # train(), overwrite=True, format=


def _pixf(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code)
    return code, capsys.readouterr().err


@pytest.fixture
def untrained(tmp_path: Path) -> Path:
    with Project.create(tmp_path / "u.pixf") as p:
        p.add_image(cells((40, 40), seed=1)[0], name="img")
        p.add_class("a")
        p.add_class("b")
    return tmp_path / "u.pixf"


def test_every_remedy_is_worded_by_every_client_and_only_python_speaks_python() -> None:
    from pixframework.napari.messages import NAPARI_WORDS

    for words in (PYTHON_WORDS, WIRE_WORDS, CLI_WORDS, NAPARI_WORDS):
        assert set(words) == set(Remedy)
    for words in (WIRE_WORDS, CLI_WORDS, NAPARI_WORDS):
        for remedy, text in words.items():
            assert not PYTHON_SPEAK.search(text), (remedy, text)


def test_the_cli_names_commands_not_python_calls(capsys: pytest.CaptureFixture, untrained: Path) -> None:
    code, err = _pixf(capsys, "predict", "--project", str(untrained))
    assert code == 1
    assert err.strip().endswith(f"the classifier is not trained; run `pixf train --project {untrained}` first")
    assert not PYTHON_SPEAK.search(err)


def test_a_bad_dtype_is_refused_naming_the_flag(capsys: pytest.CaptureFixture, untrained: Path) -> None:
    code, err = _pixf(capsys, "predict", "--project", str(untrained), "--dtype", "int7")
    assert code == 2 and "argument --dtype/--export_dtype: 'int7' is not a pixel type" in err
    assert "unexpected" not in err and "TypeError" not in err


def test_a_bad_dtype_is_invalid_input_in_python_and_over_grpc(untrained: Path, tmp_path: Path) -> None:
    with Project.open(untrained) as p, pytest.raises(ValidationError, match="'int7' is not a pixel type"):
        p.export("img", str(tmp_path / "x.tif"), dtype="int7")
    with running_server(tmp_path) as (_, address), connect(address) as client:
        remote = client.open_project("u.pixf")
        with pytest.raises(ValidationError, match="'int7' is not a pixel type"):  # refused before sending
            remote.export("img", "x.tif", dtype="int7")
        request = prediction_pb2.ExportRequest(session_id=remote.session_id, image="img", path="x.tif", dtype="int7")
        with pytest.raises(grpc.RpcError) as info:  # a client in another language
            client.stubs.prediction.Export(request, metadata=client.stubs.metadata)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_port_in_use_and_a_malformed_address_name_the_flag(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    code, err = _pixf(capsys, "serve", "--data-root", str(tmp_path), "--address", "notanaddress")
    last = err.strip().splitlines()[-1]  # argparse prints the usage first
    assert code == 2 and "argument --address: 'notanaddress' is not HOST:PORT" in last and "token" not in last
    taken, port = create_server("127.0.0.1:0", data_root=tmp_path)
    try:
        code, err = _pixf(capsys, "serve", "--data-root", str(tmp_path), "--address", f"127.0.0.1:{port}")
    finally:
        taken.stop(grace=0)
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}: the port is in use" in err and "--address HOST:PORT" in err
    assert "unexpected" not in err and "RuntimeError" not in err


def test_serve_without_the_server_parts_says_what_to_install(tmp_path: Path) -> None:
    code = "import sys; sys.modules['grpc'] = None; from pixframework.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", code, "serve", "--data-root", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "pixf: error: `pixf serve` needs pixframework's server parts, which are not installed "
        """(no module 'grpc'): pip install "pixframework[server]\""""
    )


def test_a_missing_image_file_is_named_once(capsys: pytest.CaptureFixture, untrained: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.tif"
    code, err = _pixf(capsys, "predict", "--project", str(untrained), str(missing))
    assert code == 1 and err.count(str(missing)) == 1, err
    assert err.strip() == f"pixf: error: image file not found: {missing}"


def test_an_unreachable_server_is_said_plainly(capsys: pytest.CaptureFixture) -> None:
    code, err = _pixf(capsys, "info", "x.pixf", "--server", "127.0.0.1:1")
    assert code == 1 and "UNAVAILABLE" not in err
    assert "no pixframework server answered at 127.0.0.1:1" in err and "check --server 127.0.0.1:1" in err


def test_grpc_carries_the_fact_and_the_remedy_for_any_client(tmp_path: Path) -> None:
    with running_server(tmp_path) as (_, address), connect(address) as client:
        p = client.create_project("t.pixf")
        p.add_image(np.zeros((16, 16), np.float32), name="img")
        request = prediction_pb2.PredictRequest(session_id=p.session_id, image="img")
        with pytest.raises(grpc.RpcError) as info:
            next(iter(client.stubs.prediction.Predict(request, metadata=client.stubs.metadata)))
        error = info.value
        assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert error.details() == "the classifier is not trained; train the classifier first (TrainingService.Train)"
        trailing = dict(error.trailing_metadata())
        assert trailing["pixf-remedy"] == "train" and trailing["pixf-message-bin"] == b"the classifier is not trained"
        with pytest.raises(NotTrained) as python:  # the Python client words it for Python
            p.predict("img")
        assert python.value.remedy is Remedy.TRAIN and str(python.value) == "the classifier is not trained; call train() first"


def test_napari_words_errors_for_the_widget() -> None:
    pytest.importorskip("napari", reason="napari is not installed (pip install -e '.[gui]')")
    from pixframework.napari.messages import describe_error
    from pixframework.wire.status import RemoteError

    assert describe_error(NotTrained("the classifier is not trained", remedy=Remedy.TRAIN)) == (
        "the classifier is not trained; press Train (or switch on Live update) first"
    )
    lost = describe_error(RemoteError(grpc.StatusCode.UNAVAILABLE, "no pixframework server answered at h:1 within 5 s"))
    assert lost.startswith("No pixframework server answered at h:1") and "Address field" in lost
    assert "UNAVAILABLE" not in lost
    bug = describe_error(KeyError("x"))
    assert "KeyError" in bug and "log" in bug


def test_a_malformed_dask_address_is_invalid_input(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    import tifffile

    image, truth = cells((32, 32), seed=2)
    tifffile.imwrite(tmp_path / "img.tif", image)
    with Project.create(tmp_path / "d.pixf") as p:
        name = p.add_image(str(tmp_path / "img.tif"))
        p.add_class("a")
        p.add_class("b")
        p.set_labels(name, np.where(np.arange(32 * 32).reshape(32, 32) % 9 == 0, truth, 0).astype(np.uint8))
        p.select_features([("gaussian_smoothing", 1.0)])
        p.train()
        with pytest.raises(ValidationError, match="'nonsense' is not a Dask scheduler address"):
            p.export(name, str(tmp_path / "out.tif"), dask="nonsense")
