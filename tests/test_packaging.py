"""A non-editable install must launch too: the wheel carries the styles and every room."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_the_styles_and_every_package(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("customer_desk-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert archive.read("app/styles.tcss") == (ROOT / "styles.tcss").read_bytes()
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "customer-desk = app.cli:main" in archive.read(entry_points).decode()
    for module in ("app/tui.py", "app/emulator/asgi.py", "screens/customer.py"):
        assert module in names
    assert "widgets/customer_table.py" in names
    assert not any(name.startswith("tests/") for name in names)
