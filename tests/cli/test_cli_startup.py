"""Start-up (issue 12, item 6): `--help` and `check` import only what they use; groups still work."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
import typer.main
from typer.testing import CliRunner

from tractatus.cli.main import TractatusGroup, app


def _imported_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


@pytest.mark.parametrize("name", sorted(TractatusGroup.lazy_groups))
def test_listed_help_equals_the_groups_own(name: str) -> None:
    entry = TractatusGroup.lazy_groups[name]
    group = typer.main.get_group(getattr(importlib.import_module(entry.module), entry.attribute))
    assert entry.help == group.help


def test_help_lists_every_group_without_importing_heavy_modules() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from tractatus.cli.main import main; main()", "--help"],
        capture_output=True, text=True, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", **_pythonpath()},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for name in ("check", *TractatusGroup.lazy_groups):
        assert f" {name} " in result.stdout
    loaded = _imported_after("from tractatus.cli import main")
    heavy = {"pydantic", "sqlalchemy", "yaml", "scipy", "fastapi", "ray", "tractatus.governance.governor",
             "tractatus.governance.detectors.abuse", "spellchecker", "click"}  # fmt: skip
    assert not (heavy & loaded)


def test_rendering_help_imports_nothing_but_typer() -> None:
    # Measured after the help text is printed, not only after the import: typer renders help
    # through rich (markdown_it, pygments, attrs) unless rich_markup_mode is None.
    code = "from tractatus.cli.main import app\ntry:\n    app(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass"
    loaded = _imported_after(code)
    assert "Commands:" in loaded  # the help was rendered (it shares stdout with the module list)
    heavy = {"rich", "sqlalchemy", "pydantic", "yaml", "numpy", "re2", "tractatus.governance.detectors",
             "tractatus.governance.policy", "tractatus.governance.actions"}  # fmt: skip
    assert not (heavy & loaded)
    assert not {name for name in loaded if name.startswith(("rich.", "sqlalchemy.", "tractatus.governance.detectors."))}


def test_check_loads_no_audit_store_or_scipy_on_a_dry_run() -> None:
    code = "from typer.testing import CliRunner\nfrom tractatus.cli.main import app\n"
    code += "r = CliRunner().invoke(app, ['check', '--no-audit', 'hello there'])\nassert r.exit_code == 0, r.output"
    loaded = _imported_after(code)
    assert "tractatus.governance.governor" in loaded  # it did decide
    assert not ({"scipy", "sqlalchemy", "confusable_homoglyphs"} & loaded)


def test_check_never_scans_for_pydantic_plugins_and_restores_the_environment() -> None:
    code = "import os\nfrom typer.testing import CliRunner\nfrom tractatus.cli.main import app\n"
    code += "r = CliRunner().invoke(app, ['check', '--no-audit', 'hello there'])\nassert r.exit_code == 0, r.output\n"
    code += "import pydantic.plugin._loader as loader\n"
    code += "assert loader._plugins is None, 'entry points were scanned'\n"
    code += "assert 'PYDANTIC_DISABLE_PLUGINS' not in os.environ"
    env = {key: value for key, value in os.environ.items() if key != "PYDANTIC_DISABLE_PLUGINS"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-2000:]


def test_an_audited_check_without_a_signing_key_loads_no_cryptography(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = "from typer.testing import CliRunner\nfrom tractatus.cli.main import app\n"
    code += f"r = CliRunner().invoke(app, ['check', '--audit-db', {str(tmp_path / 'audit.db')!r}, 'hello there'])\n"
    code += "assert r.exit_code == 0, r.output"
    loaded = _imported_after(code)
    assert "tractatus.governance.audit" in loaded  # it did audit
    assert "cryptography" not in loaded


def test_a_group_runs_when_resolved() -> None:
    result = CliRunner().invoke(app, ["policy", "--help"])
    assert result.exit_code == 0
    assert "Validate and inspect policy files." in result.output


def test_no_audit_with_audit_db_is_an_input_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "audit.db"
    result = subprocess.run(
        [sys.executable, "-c", "from tractatus.cli.main import main; main()", "check", "--no-audit", "--audit-db", str(db), "hi"],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", **_pythonpath()},
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "conflict" in result.stderr
    assert not db.exists()


def test_no_audit_with_audit_db_from_the_environment_is_fine(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACTATUS_AUDIT_DB", str(tmp_path / "audit.db"))
    result = CliRunner().invoke(app, ["check", "--no-audit", "hello there"])
    assert result.exit_code == 0, result.output


def _pythonpath() -> dict[str, str]:
    import os

    return {key: os.environ[key] for key in ("PYTHONPATH", "TRACTATUS_DATA_DIR", "HOME") if key in os.environ}


def test_a_mistyped_group_name_gets_a_suggestion(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from tractatus.cli.errors import run_cli

    monkeypatch.setattr(sys, "argv", ["tractatus", "polcy"])
    assert run_cli(app) == 2
    assert "Did you mean 'policy'?" in capsys.readouterr().err
