"""PostgreSQL steps of a decommission, through the client programs (psql, pg_dump, pg_restore).

Access comes from the libpq environment of whoever runs the decommission (PGUSER, PGPASSWORD or
PGPASSFILE, PGSSLMODE...); the programs never prompt (-w). Database names are validated by the catalogue
schema (lower-case letters, digits, underscore) before they reach any SQL text here.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PG_ROOT = Path("/usr/lib/postgresql")
SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
TIMEOUT_QUERY = 300
TIMEOUT_DUMP = 6 * 3600
SEPARATOR = "\x1f"
MAINTENANCE_DB = "postgres"
# Stable text for every row (time zone, dates, floats), so the same data always gives the same checksum.
SESSION = (
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1; SET bytea_output = 'hex';"
)


class PgError(Exception):
    """A PostgreSQL client program failed; the message carries its own error text."""


@dataclass(frozen=True)
class Server:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class TableStat:
    rows: int
    checksum: str


@dataclass(frozen=True)
class Frozen:
    """What freeze changed, so a failed run can give the database back as it was."""

    server: Server
    database: str
    public_connect: bool
    read_only_setting: str | None  # the database's own default_transaction_read_only before, if any


def bin_dir() -> Path | None:
    """WARDNET_PG_BIN, else the newest /usr/lib/postgresql/N/bin (Debian), else pg_dump's folder on PATH."""
    configured = os.environ.get("WARDNET_PG_BIN")
    if configured:
        return Path(configured) if (Path(configured) / "pg_dump").is_file() else None
    versions = sorted(
        (p for p in PG_ROOT.glob("*/bin") if (p / "pg_dump").is_file() and p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
    )
    if versions:
        return versions[-1]
    found = shutil.which("pg_dump")
    return Path(found).parent if found else None


def _tool(name: str) -> str:
    folder = bin_dir()
    if folder is None or not (folder / name).is_file():
        raise PgError(f"{name} not found: install the postgresql client (apt-get install postgresql-client)")
    return str(folder / name)


def _name(database: str) -> str:
    if not SAFE_NAME.match(database):
        raise PgError(f"refusing unsafe database name {database!r}")
    return database


def _run(command: list[str], timeout: int = TIMEOUT_QUERY) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise PgError(f"{Path(command[0]).name} timed out after {timeout} s") from None
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise PgError(f"{Path(command[0]).name} failed: {' / '.join(message[-3:]) or result.returncode}")
    return result.stdout


def _connection(server: Server) -> list[str]:
    return ["-w", "-h", server.host, "-p", str(server.port)]


def query(server: Server, database: str, sql: str) -> list[list[str]]:
    """Rows of one SQL statement, every value as text."""
    output = _run(
        [
            _tool("psql"),
            "-X",
            "-q",
            "-A",
            "-t",
            "-F",
            SEPARATOR,
            "-v",
            "ON_ERROR_STOP=1",
            *_connection(server),
            "-d",
            _name(database),
            "-c",
            SESSION,
            "-c",
            sql,
        ]
    )
    return [line.split(SEPARATOR) for line in output.splitlines() if line]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def exists(server: Server, database: str) -> bool:
    rows = query(
        server, MAINTENANCE_DB, f"SELECT 1 FROM pg_database WHERE datname = {_literal(_name(database))}"
    )
    return bool(rows)


def info(server: Server, database: str) -> dict[str, str | int]:
    """Encoding, collation, size and server version: recorded in the manifest, used for the scratch copy."""
    rows = query(
        server,
        MAINTENANCE_DB,
        "SELECT pg_encoding_to_char(encoding), datcollate, datctype, pg_database_size(datname), "
        f"current_setting('server_version') FROM pg_database WHERE datname = {_literal(_name(database))}",
    )
    if not rows:
        raise PgError(f"database {database} does not exist on {server}")
    encoding, collate, ctype, size, version = rows[0]
    return {
        "encoding": encoding,
        "collate": collate,
        "ctype": ctype,
        "bytes": int(size),
        "server_version": version,
    }


def _tables(server: Server, database: str) -> list[str]:
    """Every user table, schema-qualified and quoted as an identifier."""
    return [
        row[0]
        for row in query(
            server,
            database,
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' ORDER BY 1",
        )
    ]


def row_counts(server: Server, database: str) -> dict[str, int]:
    """Rows of every user table (no checksum: cheaper, for a dry-run)."""
    tables = _tables(server, database)
    if not tables:
        return {}
    parts = [f"SELECT {_literal(name)}, count(*) FROM {name}" for name in tables]
    return {name: int(rows) for name, rows in query(server, database, " UNION ALL ".join(parts))}


def table_stats(server: Server, database: str) -> dict[str, TableStat]:
    """Rows and an order-independent content checksum (sum of 60-bit row hashes) of every user table."""
    tables = _tables(server, database)
    if not tables:
        return {}
    parts = [
        f"SELECT {_literal(name)}, count(*), "
        "coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint::numeric), 0) "
        f"FROM {name} t"
        for name in tables
    ]
    rows = query(server, database, " UNION ALL ".join(parts))
    return {name: TableStat(int(count), f"{int(count)}:{total}") for name, count, total in rows}


def freeze(server: Server, database: str) -> Frozen:
    """Stop writes: read-only by default, no new connections for PUBLIC, other sessions ended."""
    name = _name(database)
    rows = query(
        server,
        MAINTENANCE_DB,
        f"SELECT has_database_privilege('public', {_literal(name)}, 'CONNECT'), "
        "(SELECT s FROM pg_db_role_setting r, unnest(r.setconfig) s WHERE r.setdatabase = d.oid "
        "AND r.setrole = 0 AND s LIKE 'default\\_transaction\\_read\\_only=%') "
        f"FROM pg_database d WHERE d.datname = {_literal(name)}",
    )
    if not rows:
        raise PgError(f"database {database} does not exist on {server}")
    public_connect, setting = rows[0]
    state = Frozen(server, name, public_connect == "t", setting.split("=", 1)[1] if setting else None)
    query(server, MAINTENANCE_DB, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    query(server, MAINTENANCE_DB, f'REVOKE CONNECT ON DATABASE "{name}" FROM PUBLIC')
    query(
        server,
        MAINTENANCE_DB,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        f"WHERE datname = {_literal(name)} AND pid <> pg_backend_pid()",
    )
    return state


def thaw(state: Frozen) -> None:
    """Undo freeze: the database takes writes and connections again as before."""
    name = _name(state.database)
    if state.read_only_setting is None:
        query(state.server, MAINTENANCE_DB, f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
    else:
        value = _literal(state.read_only_setting)
        query(
            state.server,
            MAINTENANCE_DB,
            f'ALTER DATABASE "{name}" SET default_transaction_read_only = {value}',
        )
    if state.public_connect:
        query(state.server, MAINTENANCE_DB, f'GRANT CONNECT ON DATABASE "{name}" TO PUBLIC')


def dump(server: Server, database: str, out: Path) -> None:
    """pg_dump in custom format (compressed, restorable table by table)."""
    _run([_tool("pg_dump"), "-Fc", *_connection(server), "-d", _name(database), "-f", str(out)], TIMEOUT_DUMP)


def restore_scratch(server: Server, dump_file: Path, source: dict[str, str | int]) -> str:
    """Restore a dump into a new scratch database named wardnet_verify_*; returns its name."""
    scratch = f"wardnet_verify_{secrets.token_hex(6)}"
    query(
        server,
        MAINTENANCE_DB,
        f'CREATE DATABASE "{scratch}" TEMPLATE template0 ENCODING {_literal(str(source["encoding"]))} '
        f"LC_COLLATE {_literal(str(source['collate']))} LC_CTYPE {_literal(str(source['ctype']))}",
    )
    try:
        _run(
            [
                _tool("pg_restore"),
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                *_connection(server),
                "-d",
                scratch,
                str(dump_file),
            ],
            TIMEOUT_DUMP,
        )
    except PgError:
        drop(server, scratch)
        raise
    return scratch


def drop(server: Server, database: str) -> None:
    query(server, MAINTENANCE_DB, f'DROP DATABASE IF EXISTS "{_name(database)}" WITH (FORCE)')
