"""``chainfix garmin login | status | logout``: the Garmin Connect login.

The e-mail address and password are prompted for, handed to garminconnect once and never stored
or logged; garminconnect keeps only its tokens, in ``<user dir>/garmin/garmin_tokens.json``
(0600, folder 0700). Every later command logs in from those tokens alone.
"""

from __future__ import annotations

import json
import stat

import click

from chainfix.errors import GarminAuthError


@click.group("garmin")
def garmin_group() -> None:
    """Log in to Garmin Connect, check the login, or forget it.

    chainfix stores only garminconnect's tokens (never your e-mail address or password) in
    the chainfix user folder, readable only by you.
    """


@garmin_group.command("login")
@click.option("--force", is_flag=True, help="Log in again even if the saved login still works.")
def login(force: bool) -> None:
    """Log in with your Garmin Connect e-mail and password (and the MFA code, if asked)."""
    from chainfix import garmin_client as garmin_adapter  # loads when the command runs

    garmin_adapter.import_garminconnect()  # fail before asking for a password
    folder = garmin_adapter.token_dir()
    if garmin_adapter.has_tokens(folder) and not force:
        try:
            client = garmin_adapter.GarminConnect.from_tokens(folder)
        except GarminAuthError:
            click.echo("The saved Garmin login is no longer accepted; log in again.", err=True)
        else:
            click.echo(
                f"Already logged in to Garmin Connect as {client.display_name}. "
                "Use --force to log in again."
            )
            return
    email = click.prompt("Garmin Connect e-mail")
    password = click.prompt("Garmin Connect password", hide_input=True)

    def ask_code() -> str:
        return str(click.prompt("Code from Garmin (MFA)")).strip()

    try:
        client = garmin_adapter.GarminConnect.login(email, password, ask_code, folder=folder)
    finally:
        del password
    click.echo(f"Logged in to Garmin Connect as {client.display_name}.")
    click.echo(
        f"Tokens saved in {garmin_adapter.token_file(folder)} (readable only by you); "
        "your e-mail address and password were not saved."
    )


@garmin_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    """Check the saved login against Garmin Connect (exit code 1 when not logged in)."""
    from chainfix import garmin_client as garmin_adapter  # loads when the command runs

    folder = garmin_adapter.token_dir()
    path = garmin_adapter.token_file(folder)
    if not garmin_adapter.has_tokens(folder):
        raise GarminAuthError("not logged in to Garmin Connect")
    client = garmin_adapter.GarminConnect.from_tokens(folder)
    mode = stat.S_IMODE(path.stat().st_mode)
    info = {
        "logged_in": True,
        "display_name": client.display_name,
        "token_file": str(path),
        "token_file_mode": f"{mode:04o}",
        "api_url": client.base_url,
    }
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"Logged in to Garmin Connect as {client.display_name}.")
    click.echo(f"Tokens: {path} (mode {mode:04o})")
    if garmin_adapter.api_url():
        click.echo(f"API: {client.base_url} (from {garmin_adapter.API_URL_ENV})")


@garmin_group.command("logout")
def logout() -> None:
    """Forget the saved Garmin Connect login (deletes the token file)."""
    from chainfix import garmin_client as garmin_adapter  # loads when the command runs

    folder = garmin_adapter.token_dir()
    path = garmin_adapter.token_file(folder)
    if garmin_adapter.logout(folder):
        click.echo(f"Logged out: deleted {path}.")
        click.echo("(The token is not revoked at Garmin; it is just no longer on this computer.)")
    else:
        click.echo("Not logged in to Garmin Connect (no saved tokens).")


def register(cli: click.Group) -> None:
    """Add the ``garmin`` command group to the root ``chainfix`` group."""
    cli.add_command(garmin_group)
