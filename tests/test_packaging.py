"""A plain (non-editable) install of a built wheel gives a working `newswatch`, package data
included. The wheel goes into a fresh virtualenv; to stay fast and offline, that virtualenv
borrows the already installed third-party dependencies through a .pth file instead of
downloading them again, while newswatch itself comes only from the wheel."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_runs(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    wheel = next(dist.glob("newswatch-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "flows/demo_site/site.json" in names
    assert any(n.startswith("flows/demo_site/northgate/") and n.endswith(".html") for n in names)
    assert "storage/migrations/env.py" in names and "storage/migrations/script.py.mako" in names
    assert any(n.startswith("storage/migrations/versions/0001") for n in names)
    assert not any(n.startswith("tests/") for n in names)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # Borrow third-party packages only: a plain path entry does not process the editable
    # install's own .pth hook, so newswatch cannot leak in from the source tree.
    (site_packages / "_borrowed_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    help_run = subprocess.run(
        [str(env_dir / "bin" / "newswatch"), "--help"],
        cwd=outside,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert help_run.returncode == 0, help_run.stderr
    for command in ("demo", "run", "matches", "extract", "db"):
        assert command in help_run.stdout
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import flows, storage.db as d; from importlib.resources import files; "
            "print(flows.__file__); print(files('flows.demo_site').joinpath('site.json').is_file()); "
            "print((d.MIGRATIONS / 'env.py').is_file())",
        ],
        cwd=outside,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert where[0].startswith(str(site_packages)), "newswatch was not imported from the wheel"
    assert where[1:] == ["True", "True"]
