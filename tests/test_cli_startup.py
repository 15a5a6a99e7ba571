"""Start-up of the command line: the installed script runs, and asking for help loads none
of the heavy libraries the commands use (each would cost a fraction of a second every time
a command starts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import get_args

import typer
from typer.main import get_command_name

from case_copies import DemoTemplate, copy_case
from cli_helpers import run_cli, run_cli_process
from evidencelab.cli import COMMAND_MODULES, load_commands

# Libraries only commands that work on a case, on numbers or on images need; pydantic is
# the web's (typer from 0.29 on loads it to check every option: typer is pinned below that).
HEAVY = ("sqlalchemy", "numpy", "jsonschema", "pandas", "pyproj", "shapely", "yaml", "PIL")
HEAVY += ("pydantic",)
GROUPS = ("evidence", "incident", "source", "sun", "munitions", "context", "anchor")
GROUPS += ("geolocate", "assess", "claim", "imagery", "user", "token")
# Runs the command line as the script does, once per argument list given (as JSON), then
# names the heavy libraries loaded by all of them.
PROBE = """
import json, sys
from evidencelab.cli import main
heavy = set(json.loads(sys.argv[1]))
for args in json.loads(sys.argv[2]):
    sys.argv = ["evidencelab", *args]
    try:
        main()
    except SystemExit:
        pass
loaded = sorted({name.split(".")[0] for name in sys.modules} & heavy)
sys.stderr.write("loaded: " + json.dumps(loaded) + "\\n")
"""


def _heavy_loaded(runs: list[list[str]], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """Which of ``heavy`` running the command line with each of ``runs`` loads, in one fresh
    process."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(heavy), json.dumps(runs)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("loaded: "), done.stderr
    loaded: list[str] = json.loads(last.removeprefix("loaded: "))
    return loaded


def test_installed_script_prints_help() -> None:
    done = run_cli_process("--help")
    assert done.returncode == 0, done.stderr
    assert "Usage: evidencelab" in done.stdout
    assert "summary" in done.stdout


def test_help_loads_no_heavy_library() -> None:
    assert _heavy_loaded([["--help"]]) == []


def test_every_group_help_loads_no_heavy_library() -> None:
    for group in GROUPS:
        assert run_cli(group, "--help").returncode == 0, group
    assert _heavy_loaded([[group, "--help"] for group in GROUPS]) == []


def test_user_errors_are_still_one_line(tmp_path: Path) -> None:
    """Error classes are looked up when raised, not imported at start-up: a case error and a
    case-file error each still end as one line on standard error and status 1."""
    missing = run_cli("summary", "--case", str(tmp_path / "absent"))
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: ") and len(missing.stderr.splitlines()) == 1
    assert run_cli("init", str(tmp_path / "case")).returncode == 0
    (tmp_path / "bad.yaml").write_text("format: nope\n", encoding="utf-8")
    invalid = run_cli("import", str(tmp_path / "bad.yaml"), "--case", str(tmp_path / "case"))
    assert invalid.returncode == 1
    assert invalid.stderr.startswith("error: ") and "bad.yaml" in invalid.stderr
    assert "Traceback" not in invalid.stderr


def test_choices_named_in_help_are_the_models() -> None:
    from evidencelab.cli.verify import METHODS, STATES
    from evidencelab.model import GEOLOCATION_METHODS, STATUS_STATES

    assert (METHODS, STATES) == (GEOLOCATION_METHODS, STATUS_STATES)


def test_summary_loads_no_science_stack(tmp_path: Path) -> None:
    """The read path behind `summary` needs the database and the case file model, not the
    sun's position (pvlib, pandas, SciPy) or raster reading."""
    assert run_cli("init", str(tmp_path / "case")).returncode == 0
    science = ("pvlib", "pandas", "scipy", "rasterio", "timezonefinder")
    assert _heavy_loaded([["summary", "--case", str(tmp_path / "case")]], science) == []


def test_polar_states_of_the_records_are_the_suns() -> None:
    from evidencelab.service.verification import records
    from evidencelab.verify import sun

    assert get_args(records.PolarState) == get_args(sun.PolarState)


def test_command_and_table_modules_keep_their_annotations_as_objects() -> None:
    """Typer reads every command's annotations at each start, and SQLAlchemy every mapped
    column's; written as strings (``from __future__ import annotations``) each is compiled
    and evaluated again at every start: about 0.1 s of CPU across the command modules and
    0.02 s across the table modules."""
    src = Path(__file__).resolve().parent.parent / "src" / "evidencelab"
    modules = [*(src / "cli").glob("*.py"), *(src / "store" / "tables").glob("*.py")]
    deferred = [
        str(module.relative_to(src))
        for module in sorted(modules)
        if "from __future__ import annotations" in module.read_text(encoding="utf-8")
    ]
    assert deferred == []


def test_reading_a_case_loads_no_geodesy_imaging_or_sun_library(
    demo_template: DemoTemplate, tmp_path: Path
) -> None:
    """`summary` reads the whole case, hand-added points and scene footprints included;
    numpy and shapely (geometry), pyproj (geodesics), Pillow, pandas, SciPy and pvlib are
    for the commands that measure, decode or compute, not for reading."""
    root = copy_case(demo_template.root, tmp_path / "demo")
    unread = ("numpy", "shapely", "pyproj", "PIL", "pandas", "scipy", "pvlib", "pydantic")
    assert _heavy_loaded([["summary", "--case", str(root)]], unread) == []


def _module_of(command: typer.models.CommandInfo) -> str:
    assert command.callback is not None
    return command.callback.__module__.removeprefix("evidencelab.cli.")


def _modules_adding_to(group: typer.Typer) -> set[str]:
    found = {_module_of(command) for command in group.registered_commands}
    for subgroup in group.registered_groups:
        assert subgroup.typer_instance is not None
        found |= _modules_adding_to(subgroup.typer_instance)
    return found


def test_each_command_module_lists_every_command_and_group_it_adds_to() -> None:
    """A command run alone loads only the modules COMMAND_MODULES names for its first word:
    the list must name every top-level command and group each module adds a command to."""
    app = load_commands()
    found: dict[str, set[str]] = {module: set() for module in COMMAND_MODULES}
    for command in app.registered_commands:
        assert command.callback is not None
        name = command.name or get_command_name(command.callback.__name__)
        found[_module_of(command)].add(name)
    for group in app.registered_groups:
        assert group.name is not None and group.typer_instance is not None
        for module in _modules_adding_to(group.typer_instance):
            found[module].add(group.name)
    assert found == {module: set(names) for module, names in COMMAND_MODULES.items()}
