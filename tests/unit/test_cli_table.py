"""The `wabei` command's one subcommand table: every row loads, the top-level help lists them
all, and the console script points at it."""
from __future__ import annotations

import configparser
import inspect

import pytest

from cli.main import COMMANDS, Command, main, parser
from tests.conftest import ROOT


def test_names_are_unique_and_every_row_has_a_help_line() -> None:
    names = [c.name for c in COMMANDS]
    assert len(names) == len(set(names))
    assert all(c.help.strip() for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_entry_imports_and_takes_the_remaining_arguments(command: Command) -> None:
    entry = command.load()
    assert callable(entry)
    assert list(inspect.signature(entry).parameters) == ["argv"]


def test_the_top_level_help_lists_the_table_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert f"{{{','.join(c.name for c in COMMANDS)}}}" in out
    positions = [out.index(f"    {c.name} ") for c in COMMANDS]
    assert positions == sorted(positions)


def test_the_rest_of_the_line_goes_to_the_subcommand() -> None:
    args, rest = parser().parse_known_args(["deploy", "--help", "X.sol", "--rpc-url", "u"])
    assert args.command == "deploy" and rest == ["--help", "X.sol", "--rpc-url", "u"]


def test_the_console_script_is_cli_main() -> None:
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    lines = setup["options.entry_points"]["console_scripts"].strip().splitlines()
    scripts = {name.strip(): target.strip() for name, _, target in (line.partition("=") for line in lines)}
    assert scripts["wabei"] == "cli.main:main"
