"""Write the CLI reference (docs/cli.md) from the commands' own help texts.

``python -m journeymap.cli_reference > docs/cli.md`` regenerates it; a test checks that
the committed file is current, so the reference cannot drift from the code.
"""

from __future__ import annotations

import click

from journeymap.cli import cli

__all__ = ["cli_reference"]


def cli_reference() -> str:
    """The Markdown reference of every command, in the order of ``journeymap --help``."""
    parts = [
        "# journeymap command reference",
        "",
        "Generated from the commands' help by `python -m journeymap.cli_reference`; "
        "do not edit by hand.",
        "",
        "Exit codes: 0 success; 1 the data could not be used; 2 a usage mistake "
        "(unknown option, column, file or configuration key).",
        "",
    ]
    # A fixed width keeps the file the same whatever terminal regenerates it.
    root = click.Context(cli, info_name="journeymap", terminal_width=88, max_content_width=88)
    root.help_option_names = ["-h", "--help"]
    parts += ["## journeymap", "", "```", cli.get_help(root), "```", ""]
    parts += _commands(cli, root, "journeymap")
    return "\n".join(parts)


def _commands(group: click.Group, parent: click.Context, path: str) -> list[str]:
    """Each command of ``group``, and of its subgroups, in the order of their help."""
    parts: list[str] = []
    for name in group.list_commands(parent):
        command = group.get_command(parent, name)
        assert command is not None
        ctx = click.Context(command, info_name=name, parent=parent)
        parts += [f"## {path} {name}", "", "```", command.get_help(ctx), "```", ""]
        if isinstance(command, click.Group):
            parts += _commands(command, ctx, f"{path} {name}")
    return parts


if __name__ == "__main__":
    click.echo(cli_reference(), nl=False)
