"""The ``heritage`` command line. Thin: parse, call the domain, print. Exit 0 ok, 1 input rejected, 2 bad usage."""
from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

import click

from .context import Archive
from .labels import SITE_LANGS
from .report import Summary
from .settings import Settings, SettingsError, describe, load_settings


class _Context:
    def __init__(self, data_dir: str | None):
        self.data_dir = data_dir

    @property
    def archive(self) -> Archive:
        return self.archive_with()

    @property
    def writer(self) -> Archive:
        """The archive for a command that changes it: first, what a crash left in the index outbox is applied."""
        from .indexing import catch_up

        archive = self.archive
        catch_up(archive)
        return archive

    def settings_with(self, **overrides) -> Settings:
        try:
            settings = load_settings(data_dir=self.data_dir, **overrides)
        except SettingsError as exc:
            raise click.UsageError(str(exc)) from exc
        logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic").setLevel(logging.WARNING)  # migration chatter on every command
        logging.getLogger("bagit").setLevel(logging.ERROR)  # a line per file; import-bag reports the problems
        return settings

    def archive_with(self, **overrides) -> Archive:
        return Archive(self.settings_with(**overrides))


def _finish(summary: Summary) -> None:
    for line in summary.lines():
        click.echo(line)
    sys.exit(1 if summary.rejected else 0)


@click.group(invoke_without_command=True, epilog="Settings (environment variables):\n\n" + describe().replace("\n", "\n\n"))
@click.option("--data-dir", envvar="HERITAGE_DATA_DIR", default=None, type=click.Path(file_okay=False),
              help="Data directory (default: HERITAGE_DATA_DIR, else ./var).")
@click.pass_context
def main(ctx: click.Context, data_dir: str | None) -> None:
    """Digital heritage archive of the Chăm, Hoa and Khmer communities of Ho Chi Minh City.

    Without a command, serves the site (as `heritage serve`).
    """
    ctx.obj = _Context(data_dir)
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--metadata", type=click.Path(dir_okay=False, path_type=Path), help="CSV describing the files.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
def ingest(obj: _Context, paths: tuple[Path, ...], metadata: Path | None, quiet: bool) -> None:
    """Ingest media files and folders (recursively), described by an optional metadata CSV."""
    from ingest.pipeline import Ingest

    archive = obj.writer
    summary = Ingest(archive, progress=not quiet).run(list(paths), metadata)
    _read_text_soon(archive, summary)
    _finish(summary)


def _read_text_soon(archive: Archive, summary: Summary) -> None:
    """Images the ingest queued for OCR are read by the worker (`heritage worker`, or the one `heritage serve`
    runs)."""
    from .jobs import read_text_soon

    if summary.new or summary.updated:
        read_text_soon(archive)


@main.command("import-records")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_records_cmd(obj: _Context, file: Path) -> None:
    """Import metadata-only records from CSV or JSON Lines."""
    from .importer import import_records

    _finish(import_records(obj.writer, file))


@main.command("import-collections")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_collections_cmd(obj: _Context, file: Path) -> None:
    """Create or update collections from a JSON list."""
    from .importer import import_collections

    _finish(import_collections(obj.writer, file))


@main.command("export-vocabularies")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def export_vocabularies_cmd(obj: _Context, directory: Path) -> None:
    """Write the current vocabulary terms as the shipped data files (<name>.json), to seed another archive."""
    from .terms import export

    for path in export(obj.archive, directory):
        click.echo(path)


@main.command("import-vocabularies")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_obj
def import_vocabularies_cmd(obj: _Context, directory: Path) -> None:
    """Seed the vocabulary terms from data files (as export-vocabularies writes them): terms staff changed here are
    kept, the others follow the files."""
    from .terms import seed
    from .vocabularies import Vocabularies

    click.echo(f"{seed(obj.archive.catalog, Vocabularies(directory))} term(s) added or updated")


@main.command("export-bag")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.argument("item_ids", nargs=-1)
@click.option("--collection", help="Every item of this collection.")
@click.option("--all", "everything", is_flag=True, help="Every item of the archive.")
@click.pass_obj
def export_bag_cmd(obj: _Context, dest: Path, item_ids: tuple[str, ...], collection: str | None,
                   everything: bool) -> None:
    """Write BagIt bags, one per item (DEST/ITEM-ID), whatever the items' access level."""
    from .bags import export_bags

    if not (item_ids or collection or everything):
        raise click.UsageError("name the items to bag: ITEM_ID…, --collection ID or --all")
    summary = export_bags(obj.archive, dest, list(item_ids), collection=collection, everything=everything)
    click.echo(f"export-bag: {len(summary.new)} bags written to {dest}, {len(summary.rejected)} rejected")
    for r in summary.rejected:
        click.echo(f"REJECTED {r.source}: " + "; ".join(r.reasons))
    sys.exit(1 if summary.rejected else 0)


@main.command("import-bag")
@click.argument("bags", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def import_bag_cmd(obj: _Context, bags: tuple[Path, ...]) -> None:
    """Validate BagIt bags made by export-bag and restore their items (same ids, records and originals)."""
    from .bags import import_bags

    summary = import_bags(obj.writer, list(bags))
    for source in summary.unchanged:
        click.echo(f"unchanged {source}")
    _finish(summary)


@main.command()
@click.option("--missing", is_flag=True, help="Only build derivative sets that are missing.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
def derive(obj: _Context, missing: bool, quiet: bool) -> None:
    """Rebuild derivatives (thumbnails, tiles, web audio and video) and the OCR text of documents from the stored
    originals."""
    from ingest import ocr
    from ingest.derive import derive as run_derive

    summary = run_derive(obj.archive, only_missing=missing, progress=not quiet)
    click.echo(f"ocr: {ocr.derive(obj.writer, only_missing=missing)} page(s) read")
    _finish(summary)


@main.command()
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
def fixity(obj: _Context, quiet: bool) -> None:
    """Re-check the checksum of every stored original; exit 1 naming any mismatch, missing or orphan file."""
    from .fixity import check_fixity

    checked, problems = check_fixity(obj.archive, progress=not quiet)
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"fixity: {checked} originals checked, {len(problems)} problems")
    sys.exit(1 if problems else 0)


@main.command()
@click.option("--samples", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path(__file__).resolve().parent.parent / "media_samples", show_default=True,
              help="Folder with metadata.csv, collections.json and the sample media.")
@click.pass_obj
def demo(obj: _Context, samples: Path) -> None:
    """Load the sample collections and exhibits and ingest the sample media."""
    from ingest.pipeline import Ingest

    from .exhibit_store import import_directory
    from .importer import import_collections
    from .report import Rejection

    archive = obj.writer
    collections = import_collections(archive, samples / "collections.json")
    click.echo(f"collections: {len(collections.new)} loaded")
    summary = Ingest(archive).run([samples], samples / "metadata.csv")
    _read_text_soon(archive, summary)
    summary.rejected[:0] = collections.rejected
    exhibits = import_directory(archive, samples / "exhibits")  # after the ingest: exhibits point at its items
    _echo_exhibits(exhibits)
    summary.rejected += [Rejection("exhibits", [reason]) for reason in exhibits.rejected]
    _first_admin(archive)
    _export(archive)
    _finish(summary)


def _echo_exhibits(summary) -> None:
    click.echo(f"exhibits: {len(summary.created)} imported, {len(summary.skipped)} already in the catalog")
    for reason in summary.rejected:
        click.echo(f"exhibits: rejected: {reason}")


@main.command("import-exhibits")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def import_exhibits_cmd(obj: _Context, directory: Path | None) -> None:
    """Bring the exhibits of DIRECTORY (default DATA_DIR/exhibits) into the catalog, once: <slug>.<vi|en>.md files
    (published, as they were) or the <slug>.json files export-exhibit writes. Exhibits already in the catalog are
    left as they are; exit 1 if a file was rejected."""
    from .exhibit_store import import_directory

    archive = obj.writer
    directory = directory or archive.settings.data_path / "exhibits"
    if not directory.is_dir():
        raise click.BadParameter(f"{directory} is not a directory", param_hint="DIRECTORY")
    summary = import_directory(archive, directory)
    _echo_exhibits(summary)
    sys.exit(1 if summary.rejected else 0)


@main.command("export-exhibit")
@click.argument("slug")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def export_exhibit_cmd(obj: _Context, slug: str, directory: Path) -> None:
    """Write exhibit SLUG into DIRECTORY as <slug>.<vi|en>.md (the Markdown exhibit format) and <slug>.json (the
    whole content, which import-exhibits reads back)."""
    from .errors import NotFound
    from .exhibit_store import export

    try:
        written = export(obj.archive, slug, directory)
    except NotFound as exc:
        raise click.BadParameter(str(exc), param_hint="SLUG") from exc
    for path in written:
        click.echo(str(path))


def _export(archive: Archive, to: Path | None = None) -> None:
    from . import open_data

    package = open_data.build(archive)
    if to is not None:
        shutil.copytree(package.path, to, dirs_exist_ok=True)
    click.echo(f"open data: {package.descriptor['count']} public records in {to or package.path}")


@main.command()
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--originals", is_flag=True, help="Copy the originals into the backup too (else only their checksums).")
@click.pass_obj
def backup(obj: _Context, dest: Path, originals: bool) -> None:
    """Take a consistent backup of the archive while it runs: catalog, checksums of the originals (and with
    --originals the files), exhibits. Derivatives and the search index are rebuilt by restore."""
    from .backup import BackupError, take

    try:
        manifest = take(obj.archive, dest, originals=originals)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup: {manifest['items']} items, {manifest['originals']} originals"
               f"{' (copied)' if originals else ' (checksums only)'} in {dest}")


@main.command()
@click.argument("source", metavar="BACKUP", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress bars.")
@click.pass_obj
def restore(obj: _Context, source: Path, quiet: bool) -> None:
    """Build the archive of an empty data directory (and catalog database) from a backup: catalog, originals,
    exhibits; then derivatives and the search index are rebuilt and fixity is checked (exit 1 on any problem)."""
    from ingest.derive import derive as run_derive

    from .backup import BackupError, read_manifest, restore_catalog, restore_files
    from .catalog.copy import CopyError
    from .fixity import check_fixity
    from .indexing import reindex

    archive = obj.archive
    try:
        read_manifest(source)
        restore_catalog(archive, source)
    except (BackupError, CopyError) as exc:
        raise click.ClickException(str(exc)) from None
    result = restore_files(archive, source)
    derived = run_derive(archive, only_missing=True, progress=not quiet)
    indexed = reindex(archive, progress=not quiet)
    checked, problems = check_fixity(archive, progress=not quiet)
    for problem in [*result.problems, *(str(p) for p in problems), *(str(r) for r in derived.rejected)]:
        click.echo(f"PROBLEM {problem}")
    click.echo(f"restore: {result.items} items, {result.originals} originals, {indexed} indexed; "
               f"fixity: {checked} checked, {len(problems)} problems")
    sys.exit(1 if result.problems or problems or derived.rejected else 0)


@main.command("migrate-catalog")
@click.option("--to", "url", required=True, metavar="URL", help="The empty target database, e.g. postgresql://…")
@click.pass_obj
def migrate_catalog(obj: _Context, url: str) -> None:
    """Copy the catalog into another (empty) database and verify counts and checksums; then set
    HERITAGE_DATABASE_URL to it. The data directory's file store stays where it is."""
    from sqlalchemy.exc import ArgumentError, OperationalError

    from .catalog.copy import CopyError, copy_catalog
    from .catalog.db import Catalog

    archive = obj.archive
    try:
        target = Catalog(url)
        # No ingest, edit or upload commits between the copy and its check: this holds the catalog's write lock.
        with archive.write_lock("catalog copy"), archive.catalog.writing():
            checks = copy_catalog(archive.catalog, target)
    except (ArgumentError, OperationalError, CopyError) as exc:
        raise click.ClickException(f"--to {url}: {str(exc).splitlines()[0]}") from None
    for table in checks:
        click.echo(f"{table.table}: {table.rows} rows, sha256 {table.sha256[:16]}… (same in both)")
    click.echo(f"copied and verified; now set HERITAGE_DATABASE_URL={url}")


@main.command()
@click.option("--to", type=click.Path(file_okay=False, path_type=Path), help="Also copy the package to this folder.")
@click.pass_obj
def export(obj: _Context, to: Path | None) -> None:
    """Build the open data package of the public catalogue (CSV, JSON Lines, JSON-LD, collections, vocabularies and
    datapackage.json) now, as the worker does after changes; served at /{lang}/open-data."""
    _export(obj.writer, to)


def _first_admin(archive: Archive) -> None:
    """An administrator account for trying the staff side, unless there is one already."""
    import secrets

    from .accounts import create_user, list_users

    users = {u.username: u for u in list_users(archive)}
    if any(u.role == "admin" and u.active for u in users.values()):
        return
    if "admin" in users:  # taken by a disabled or non-admin account: say how to get in rather than fail
        taken = users["admin"]
        state = "" if taken.active else ", disabled"
        click.echo(f"no active administrator; the account 'admin' exists ({taken.role}{state}): "
                   "`heritage user enable admin`, `heritage user set-role admin admin` or "
                   "`heritage user add NAME --role admin` gives you one")
        return
    password = secrets.token_urlsafe(12)
    create_user(archive, "admin", password, "admin", display_name="Administrator")
    base = archive.settings.base_url
    click.echo(f"staff sign-in: {base}/vi/staff/login (or /en/…) as 'admin' with password {password}\n"
               "  (shown once; change it with `heritage user password admin`)")


@main.command()
@click.option("--pending", is_flag=True, help="Only apply the changes waiting in the index outbox.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
def reindex(obj: _Context, pending: bool, quiet: bool) -> None:
    """Rebuild the search index (of HERITAGE_SEARCH_BACKEND) from the catalog, or apply what waits to be indexed."""
    from search.errors import SearchUnavailable

    from .indexing import apply_outbox
    from .indexing import reindex as run_reindex

    archive = obj.archive
    try:
        if pending:
            click.echo(f"reindex: {apply_outbox(archive)} pending items indexed ({archive.settings.search_backend})")
            return
        count = run_reindex(archive, progress=not quiet)
    except SearchUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"reindex: {count} items indexed ({archive.settings.search_backend})")


@main.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option("--lang", type=click.Choice(SITE_LANGS), default=SITE_LANGS[0], show_default=True)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--all", "everything", is_flag=True, help="Include items the public cannot see.")
@click.pass_obj
def search_cmd(obj: _Context, words: tuple[str, ...], lang: str, limit: int, everything: bool) -> None:
    """Search the archive and print the top hits (the query language of /api/search)."""
    from search.errors import BadQuery, SearchUnavailable
    from search.request import SearchRequest

    from .access import EVERYTHING, Viewer, scope
    from .searching import search

    try:
        request = SearchRequest(q=" ".join(words), per_page=limit, lang=lang, with_facets=False,
                                scope=EVERYTHING if everything else scope(Viewer.ANONYMOUS))
        result = search(obj.archive, request)
    except BadQuery as exc:
        raise click.UsageError(str(exc)) from exc
    except SearchUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    if result.corrected:
        click.echo(f"nothing found for {request.q!r}; showing results for {result.did_you_mean!r}")
    click.echo(f"{result.total} results")
    for rank, hit in enumerate(result.hits, 1):
        titles = hit.display["title"]
        title = titles.get(lang) or titles.get("en" if lang == "vi" else "vi") or next(iter(titles.values()), "")
        about = ", ".join(v for v in (hit.display["type"], hit.display.get("community"), hit.display.get("date")) if v)
        click.echo(f"{rank:>3}. {hit.id}  {title}  [{about}]")


def _web_server_options(command):
    for option in reversed((
        click.option("--host", default="127.0.0.1", show_default=True),
        click.option("--port", default=5000, show_default=True, type=int),
        click.option("--processes", default=os.cpu_count() or 1, show_default="the number of cores",
                     type=click.IntRange(1), help="Web server processes (gunicorn)."),
        click.option("--threads", default=4, show_default=True, type=click.IntRange(1),
                     help="Threads per web process (more lengthen the slowest answers: tests/bench/bench_site.py)."),
    )):
        command = option(command)
    return command


@main.command()
@_web_server_options
@click.option("--worker/--no-worker", default=True, show_default=True,
              help="Also run the background worker that ingests uploads (as `heritage worker`).")
@click.pass_obj
def serve(obj: _Context, host: str, port: int, processes: int, threads: int, worker: bool) -> None:
    """Serve the web site, the JSON API and IIIF (gunicorn: PROCESSES processes of THREADS threads), and the worker.

    This process keeps both running, starting either again if it dies: the web server and the worker."""
    import signal

    from .supervise import Supervised

    # Links, IIIF ids and the CSP name the address served unless HERITAGE_BASE_URL says where the public reaches it.
    base_url = os.environ.get("HERITAGE_BASE_URL") or f"http://{host}:{port}"
    settings = obj.settings_with(base_url=base_url)  # this process only watches its children: no archive opened
    command = [sys.executable, "-m", "archive.cli", "--data-dir", str(settings.data_path)]
    children = [Supervised([*command, "web", "--host", host, "--port", str(port), "--processes", str(processes),
                            "--threads", str(threads)], name="web server",
                           env={**os.environ, "HERITAGE_BASE_URL": base_url})]
    if worker:
        children.append(Supervised([*command, "worker"], name="worker"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so the children below are stopped too
    for child in children:
        child.start()
    click.echo(f"serving http://{host}:{port}/ (data: {settings.data_path}; {processes} processes of "
               f"{threads} threads)")
    try:
        signal.pause()
    finally:
        for child in children:  # SIGINT: the web server stops, the worker finishes the job in hand
            child.stop()


@main.command()
@_web_server_options
@click.pass_obj
def web(obj: _Context, host: str, port: int, processes: int, threads: int) -> None:
    """The web server alone (gunicorn), as `heritage serve` runs it: for machines (or unit files) that run the
    worker apart."""
    from . import harvest
    from .web.auth import secret_key
    from .web.server import run

    archive = obj.writer  # before the first request: what a crash left in the index outbox is applied
    harvest.sync(archive)  # and what ended embargoes offer to harvesters
    secret_key(archive.settings)  # made once, here, before several processes could race to make it
    archive.catalog.dispose()  # nothing of this process's catalog connections crosses the fork
    run(archive.settings, host=host, port=port, processes=processes, threads=threads)


@main.command("nginx-config")
@click.option("--upstream", default="127.0.0.1:5000", show_default=True, help="Where `heritage serve` listens.")
@click.option("--listen", default="80", show_default=True, help="nginx's listen address (443 with --tls-*).")
@click.option("--server-name", help="The site's host name (default: any).")
@click.option("--cache-dir", default="/var/lib/nginx/heritage-tiles", show_default=True,
              type=click.Path(path_type=Path), help="Where nginx keeps public tiles.")
@click.option("--tls-certificate", type=click.Path(dir_okay=False, path_type=Path), help="Certificate (PEM) for HTTPS.")
@click.option("--tls-key", type=click.Path(dir_okay=False, path_type=Path), help="Its private key.")
@click.pass_obj
def nginx_config(obj: _Context, upstream: str, listen: str, server_name: str | None, cache_dir: Path,
                 tls_certificate: Path | None, tls_key: Path | None) -> None:
    """Print the nginx site for this archive: nginx serves /assets/ and, once the app has said who may have them,
    tiles, media and downloads (X-Accel-Redirect); compresses text; keeps public tiles a minute."""
    from .web.deploy import nginx_site

    if (tls_certificate is None) != (tls_key is None):
        raise click.UsageError("--tls-certificate and --tls-key go together")
    click.echo(nginx_site(obj.archive.settings, upstream=upstream, listen=listen, server_name=server_name,
                          cache_dir=cache_dir.absolute(), tls_certificate=tls_certificate, tls_key=tls_key), nl=False)


@main.command()
@click.pass_obj
def worker(obj: _Context) -> None:
    """Run the background worker that ingests uploaded files (Ctrl-C lets the running job finish)."""
    from .jobs import run_worker

    run_worker(obj.writer)


@main.group()
def user() -> None:
    """Accounts: add, disable or enable, change role or password, list."""


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("password", hide_input=True, confirmation_prompt=True)


def _account_errors(call):
    from .errors import Conflict, InvalidRecord, NotFound

    try:
        return call()
    except (InvalidRecord, NotFound) as exc:
        raise click.UsageError(str(exc)) from exc
    except Conflict as exc:
        raise click.ClickException(str(exc)) from exc


def _change_user(obj: _Context, username: str, change, *args) -> None:
    """``change(archive, user_id, *args)`` on the named account, its domain errors turned into CLI errors."""
    from .accounts import find_user

    archive = obj.archive
    _account_errors(lambda: change(archive, find_user(archive, username).id, *args))


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["admin", "editor", "contributor", "researcher"]))
@click.option("--name", "display_name", default=None, help="Name shown on the pages.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.pass_obj
def user_add(obj: _Context, username: str, role: str, display_name: str | None, password_stdin: bool) -> None:
    from .accounts import create_user

    archive = obj.archive
    created = _account_errors(lambda: create_user(archive, username, _password(password_stdin), role, display_name))
    click.echo(f"added {created.username} ({created.role})")


@user.command("disable")
@click.argument("username")
@click.pass_obj
def user_disable(obj: _Context, username: str) -> None:
    from .accounts import disable_user

    _change_user(obj, username, disable_user)
    click.echo(f"disabled {username}")


@user.command("enable")
@click.argument("username")
@click.pass_obj
def user_enable(obj: _Context, username: str) -> None:
    from .accounts import enable_user

    _change_user(obj, username, enable_user)
    click.echo(f"enabled {username}")


@user.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(["admin", "editor", "contributor", "researcher"]))
@click.pass_obj
def user_set_role(obj: _Context, username: str, role: str) -> None:
    from .accounts import set_role

    _change_user(obj, username, set_role, role)
    click.echo(f"{username} is now {role}")


@user.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.pass_obj
def user_password(obj: _Context, username: str, password_stdin: bool) -> None:
    from .accounts import set_password

    # the password is asked for once the account is found
    _change_user(obj, username, lambda archive, user_id: set_password(archive, user_id, _password(password_stdin)))
    click.echo(f"password of {username} changed")


@user.command("list")
@click.pass_obj
def user_list(obj: _Context) -> None:
    from .accounts import list_users

    for u in list_users(obj.archive):
        state = "" if u.active else "  (disabled)"
        last = u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "never"
        click.echo(f"{u.username:<24} {u.role:<12} last sign-in {last}{state}")


def _set_data_dir(ctx: click.Context, _param, value: str | None) -> None:
    if value is not None:
        ctx.find_object(_Context).data_dir = value


def _data_dir_everywhere(group: click.Group) -> None:
    """Every subcommand takes --data-dir too (`heritage ingest X --data-dir D`), overriding the one before it."""
    for command in group.commands.values():
        command.params.append(click.Option(["--data-dir"], type=click.Path(file_okay=False), expose_value=False,
                                           is_eager=True, callback=_set_data_dir,
                                           help="Data directory (as before the command)."))
        if isinstance(command, click.Group):
            _data_dir_everywhere(command)


_data_dir_everywhere(main)

if __name__ == "__main__":
    main()
