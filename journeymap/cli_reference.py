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
    for name in cli.list_commands(root):
        command = cli.get_command(root, name)
        assert command is not None
        ctx = click.Context(command, info_name=name, parent=root)
        parts += [f"## journeymap {name}", "", "```", command.get_help(ctx), "```", ""]
        if isinstance(command, click.Group):  # its subcommands, each in full
            for sub in command.list_commands(ctx):
                child = command.get_command(ctx, sub)
                assert child is not None
                sub_ctx = click.Context(child, info_name=sub, parent=ctx)
                parts += [
                    f"## journeymap {name} {sub}",
                    "",
                    "```",
                    child.get_help(sub_ctx),
                    "```",
                    "",
                ]
    return "\n".join(parts)


if __name__ == "__main__":
    click.echo(cli_reference(), nl=False)
