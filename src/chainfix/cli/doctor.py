"""``chainfix doctor``: versions, paths and plugins, safe to paste into a bug report."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

import click

from chainfix import __version__, paths, plugins
from chainfix.cli.common import echo_json

PACKAGES = (
    "click",
    "rich",
    "pandas",
    "pluggy",
    "platformdirs",
    "python-fitparse",
    "fastcrc",
    "garminconnect",
)


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def doctor_report() -> dict[str, object]:
    """Facts about this installation. Holds no tokens, e-mail addresses or activity data."""
    home = paths.user_dir(create=False)
    host = plugins.host()
    plugins.sources()
    return {
        "chainfix": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": {name: _version(name) for name in PACKAGES},
        "user_dir": str(home),
        "user_dir_exists": home.exists(),
        "cache_exists": paths.cache_path().exists() if home.exists() else False,
        "garmin_tokens_present": paths.garmin_token_file(home / "garmin").exists(),
        "plugins": {
            name: ("error: " + info.error) if info.error else "ok"
            for name, info in host.infos.items()
        },
        "sources": [s.name for s in plugins.sources()],
    }


def register(cli: click.Group) -> None:
    @cli.command()
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    def doctor(as_json: bool) -> None:
        """Print versions, paths and plugins (safe to paste: no tokens, e-mail or activities)."""
        report = doctor_report()
        if as_json:
            echo_json(report)
            return
        for key, value in report.items():
            if isinstance(value, dict):
                click.echo(f"{key}:")
                for k, v in value.items():
                    click.echo(f"  {k}: {v}")
            elif isinstance(value, list):
                click.echo(f"{key}: {', '.join(map(str, value))}")
            else:
                click.echo(f"{key}: {value}")
