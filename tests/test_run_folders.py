"""Run folders under races, kills and unfriendly file systems (issue 15): an existing folder is
refused atomically, --overwrite keeps the old folder recoverable, debris of killed writes is
cleaned by the next write, permissions follow the umask, file-system errors exit 2 with the path."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.cli import app
from allocator.errors import EXIT_INPUT, EXIT_OK, UsageError
from allocator.outputs.atomic import check_destination, write_folder
from allocator.outputs.files import write_text_atomically
from tests.scenario_factory import write_scenario

pytestmark = pytest.mark.cli
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the messages in English (the processes they start inherit it)."""
    monkeypatch.setenv("ALLOCATOR_LANG", "en")


def _fill_with(text: str, barrier: threading.Barrier | None = None):  # type: ignore[no-untyped-def]
    def fill(folder: Path) -> None:
        (folder / "a.txt").write_text(text)
        if barrier is not None:
            barrier.wait(timeout=10)

    return fill


def test_two_writers_racing_without_overwrite_exactly_one_wins(tmp_path: Path) -> None:
    # both are past the early check and have filled their staging folders before either renames
    out = tmp_path / "out"
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def writer(name: str) -> None:
        try:
            write_folder(out, _fill_with(name, barrier), notice=lambda _: None)
            outcomes[name] = "written"
        except UsageError as exc:
            outcomes[name] = str(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [n for n, o in outcomes.items() if o == "written"]
    assert len(winners) == 1, outcomes
    (loser,) = set(outcomes) - set(winners)
    assert "written by another run meanwhile" in outcomes[loser]
    assert (out / "a.txt").read_text() == winners[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left


def _cli(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )


def test_two_runs_to_one_out_started_together(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "s")
    out = tmp_path / "out"
    runs = [_cli("run", scenario, "--out", out, "--quiet") for _ in range(2)]
    results = [(run.wait(timeout=120), run.communicate()[0]) for run in runs]
    codes = sorted(code for code, _ in results)
    assert codes == [EXIT_OK, EXIT_INPUT], results
    refused = " ".join(next(text for code, text in results if code == EXIT_INPUT).split())
    assert "already exists" in refused or "another run" in refused
    assert "Traceback" not in refused
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def _in_child(script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh Python process (a write that dies, or one begun later)."""
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )


KILLED_OVERWRITE = """
import os
from pathlib import Path
from allocator.outputs.atomic import write_folder
def fill(folder):
    (folder / "a.txt").write_text("new")
# the notice comes between setting the old folder aside and renaming the new one into place
write_folder(Path({out!r}), fill, overwrite=True, notice=lambda s: (print(s), os._exit(9)))
"""
KILLED_FILL = """
import os
from pathlib import Path
from allocator.outputs.atomic import write_folder
def fill(folder):
    (folder / "a.txt").write_text("half")
    os._exit(9)
write_folder(Path({out!r}), fill, overwrite=True)
"""
LATER_WRITE = """
from pathlib import Path
from allocator.errors import UsageError
from allocator.outputs.atomic import write_folder
try:
    write_folder(Path({out!r}), lambda f: (f / "a.txt").write_text("later"), overwrite={ow})
except UsageError as exc:
    print("refused:", exc)
"""


def test_a_kill_during_overwrite_keeps_the_old_folder_at_the_stated_path(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_folder(out, _fill_with("old"), notice=lambda _: None)
    killed = _in_child(KILLED_OVERWRITE.format(out=str(out)))
    assert killed.returncode == 9
    stated = Path(killed.stdout.split(" is kept at ")[1].split(" until ")[0])
    assert not out.exists() and (stated / "a.txt").read_text() == "old"
    later = _in_child(LATER_WRITE.format(out=str(out), ow=False))
    assert f"Put back {out} from {stated}" in later.stderr
    assert "refused:" in later.stdout  # the old run is back, and not replaced without --overwrite
    assert (out / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_debris_of_a_killed_write_is_cleaned_by_the_next_write(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_folder(out, _fill_with("old"), notice=lambda _: None)
    assert _in_child(KILLED_FILL.format(out=str(out))).returncode == 9
    debris = [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]
    assert len(debris) == 1 and (out / "a.txt").read_text() == "old"
    later = _in_child(LATER_WRITE.format(out=str(out), ow=True))
    assert f"Removed {debris[0]}, left by an interrupted write of {out}." in later.stderr
    assert (out / "a.txt").read_text() == "later"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_debris_of_a_live_run_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    live = tmp_path / f".out.tmp-{os.getppid()}-abcd1234"  # our parent process is alive
    live.mkdir()
    os.utime(live, (0, 0))
    later = _in_child(LATER_WRITE.format(out=str(out), ow=False))
    assert later.returncode == 0 and "Removed" not in later.stderr
    assert live.is_dir() and (out / "a.txt").read_text() == "later"


def test_folders_and_files_follow_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        out = write_folder(tmp_path / "out", _fill_with("x"), notice=lambda _: None)
        report = write_text_atomically("<p>x</p>", tmp_path / "report.html")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "a.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE(report.stat().st_mode) == 0o644


def test_overwrite_replaces_and_leaves_nothing_beside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    said: list[str] = []
    write_folder(out, _fill_with("old"), notice=said.append)
    write_folder(out, _fill_with("new"), overwrite=True, notice=said.append)
    assert (out / "a.txt").read_text() == "new"
    assert len(said) == 1 and "is kept at" in said[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    with pytest.raises(UsageError, match="already exists"):
        write_folder(out, _fill_with("again"), notice=said.append)


def test_a_destination_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="not a folder"):
        check_destination(tmp_path / "file")
    with pytest.raises(UsageError, match="is not a folder"):
        check_destination(tmp_path / "file" / "out")


def _as_unprivileged() -> list[str]:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be shown")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_a_read_only_output_parent_is_refused_before_solving() -> None:
    base = Path(tempfile.mkdtemp(prefix="allocator-read-only-"))  # reachable by any user
    try:
        base.chmod(0o755)
        parent = base / "read-only"
        parent.mkdir(mode=0o555)
        command = [*_as_unprivileged(), sys.executable, str(ROOT / "cli.py"), "run"]
        command += ["--out", str(parent / "out"), "--quiet"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    finally:
        shutil.rmtree(base)
    assert done.returncode == EXIT_INPUT, done.stderr
    assert f"the folder {parent} is not writable" in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr and "Unexpected" not in done.stderr
    assert "Outputs written" not in done.stdout


def test_a_permission_error_while_writing_names_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = write_scenario(tmp_path / "s")

    def refused(self: Path, *_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refused)
    out = str(tmp_path / "o")
    result = CliRunner().invoke(app, ["--lang", "it", "run", str(scenario), "--out", out])
    assert result.exit_code == EXIT_INPUT
    assert "Errore del file system" in result.output and "permission denied" in result.output
    assert str(tmp_path) in result.output.replace("\n", "")
