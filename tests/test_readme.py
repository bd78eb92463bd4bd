"""The README's two set-up commands exist, CI runs the test command verbatim, and the demo command
and the Python example run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import tifffile

from pixframework.io.dispatch import open_image
from pixframework.synthetic import cells

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", quick, re.S)]


def test_readme_has_exactly_the_two_setup_commands():
    commands = readme_commands()
    assert len(commands) == 2, commands
    demo, tests = commands
    assert "\n" not in demo and demo.endswith("pixf demo")
    assert "\n" not in tests and "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = readme_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines
    # it must be the last thing CI runs, so its exit status is CI's
    assert [line for line in ci_lines if line and not line.startswith("#")][-1] == test_command


def test_the_quick_start_demo_command_runs(tmp_path):
    """`pixf demo` exactly as the README gives it (default output folder, in a fresh directory)."""
    demo = readme_commands()[0].split("&&")[-1].strip()
    assert demo.endswith("pixf demo")
    pixf = Path(sys.executable).with_name("pixf")  # the entry point of the installed package
    done = subprocess.run([str(pixf), *demo.split()[1:]], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    out = tmp_path / "pixf-demo"
    assert (out / "demo.png").is_file() and (out / "demo.pixf" / "project.json").is_file()
    accuracies = [float(a) for a in re.findall(r"pixel accuracy ([\d.]+)%", done.stdout)]
    assert len(accuracies) == 3 and min(accuracies) > 80, done.stdout


def python_example() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Using it from Python", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, re.S)
    return block


def test_the_python_example_runs_as_written(tmp_path):
    """The README's Python example, verbatim, on a generated ``cells.tif`` in a fresh directory."""
    image, _ = cells((256, 256), seed=11)
    tifffile.imwrite(tmp_path / "cells.tif", image)
    script = tmp_path / "example.py"
    script.write_text(python_example() + "\nimport numpy as np\nnp.save('seg.npy', seg)\n")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    seg = np.load(tmp_path / "seg.npy")
    assert seg.shape == image.shape and set(np.unique(seg)) <= {1, 2}
    with open_image(tmp_path / "cells_Probabilities.tif") as exported:  # stored channels first (cyx)
        assert exported.axes == "cyx" and exported.shape == (2, *image.shape)
        np.testing.assert_allclose(np.asarray(exported[:, :, :]).sum(0), 1.0, atol=1e-4)
