"""Fixtures of the systems tests: a throw-away PostgreSQL cluster on loopback, and a system to retire in it.

The cluster lives in its own temporary folder (data, unix socket, log), listens on 127.0.0.1 only, on a
free port, and is stopped through its postmaster's PID at the end; the machine's own clusters are never
touched. As root the server runs as the `postgres` user (PostgreSQL refuses root). Without the PostgreSQL
server programs (Debian package `postgresql`) these tests are skipped, unless WARDNET_REQUIRE_LAB=1: then
they fail.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest

from tests.conftest import REPO
from wardnet.systems import pg
from wardnet.systems.catalogue import DEFAULT_CATALOGUE

SAMPLE_CATALOGUE = REPO / DEFAULT_CATALOGUE
TODAY = "2026-11-23"
_numbers = count(1)

SAMPLE_DATA = """
CREATE SCHEMA luu_tru;
CREATE TABLE van_ban (
    id serial PRIMARY KEY, so_hieu text NOT NULL, trich_yeu text, ngay_ban_hanh date, don_vi text,
    tep bytea, nhan jsonb, diem double precision);
INSERT INTO van_ban (so_hieu, trich_yeu, ngay_ban_hanh, don_vi, tep, nhan, diem)
SELECT i || '/QĐ-SXD', 'Quyết định về việc cấp phép xây dựng số ' || i, date '2016-01-01' + i % 3000,
       'Sở Xây dựng', decode(md5(i::text), 'hex'), jsonb_build_object('muc', i % 7), i / 7.0
FROM generate_series(1, 3000) AS i;
CREATE TABLE nguoi_dung (ma int PRIMARY KEY, ho_ten text NOT NULL, email text UNIQUE);
INSERT INTO nguoi_dung
SELECT i, 'Nguyễn Văn ' || i, 'nv' || i || '@sxd.hcm.gov.vn' FROM generate_series(1, 200) AS i;
CREATE TABLE luu_tru.nhat_ky (id bigserial PRIMARY KEY, luc timestamptz NOT NULL, noi_dung text);
INSERT INTO luu_tru.nhat_ky (luc, noi_dung)
SELECT timestamptz '2020-01-01 08:00+07' + i * interval '1 hour', 'đăng nhập ' || i
FROM generate_series(1, 500) AS i;
CREATE TABLE rong (id int);
"""


def require_postgres() -> Path:
    """The folder of the PostgreSQL server programs, or skip (fail with WARDNET_REQUIRE_LAB=1)."""
    folder = pg.bin_dir()
    missing = [
        name
        for name in ("initdb", "postgres", "psql", "pg_dump", "pg_restore")
        if not folder or not (folder / name).is_file()
    ]
    if os.geteuid() == 0 and not missing:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            missing.append("the postgres user")
    if missing:
        message = f"PostgreSQL unavailable (missing {', '.join(missing)}); apt-get install postgresql"
        if os.environ.get("WARDNET_REQUIRE_LAB") == "1":
            pytest.fail(f"PostgreSQL required (WARDNET_REQUIRE_LAB=1): {message}")
        pytest.skip(message)
    assert folder is not None
    return folder


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    bin: Path
    root: Path
    port: int
    host: str = "127.0.0.1"

    @property
    def server(self) -> pg.Server:
        return pg.Server(self.host, self.port)

    def try_sql(self, database: str, statement: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                *(str(self.bin / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-w"),
                *("-h", self.host, "-p", str(self.port), "-U", "postgres", "-d", database, "-c", statement),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def sql(self, database: str, statement: str) -> str:
        result = self.try_sql(database, statement)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def databases(self) -> set[str]:
        return set(self.sql("postgres", "SELECT datname FROM pg_database").split())

    def stats(self, database: str) -> dict[str, pg.TableStat]:
        return pg.table_stats(self.server, database)

    def create_sample(self, name: str) -> None:
        self.sql("postgres", f'CREATE DATABASE "{name}"')
        self.sql(name, SAMPLE_DATA)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    folder = require_postgres()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="wardnet-pg-"))
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    subprocess.run(
        [
            *(*as_postgres, str(folder / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"),
            *("-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = _free_port()
    log = (root / "server.log").open("wb")
    process = subprocess.Popen(
        [
            *(*as_postgres, str(folder / "postgres"), "-D", str(data), "-p", str(port)),
            *("-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={root}", "-c", "fsync=off"),
            *("-c", "full_page_writes=off", "-c", "synchronous_commit=off", "-c", "shared_buffers=16MB"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    instance = Cluster(folder, root, port)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PGUSER", "postgres")
        env.setenv("PGCONNECT_TIMEOUT", "5")
        env.delenv("PGPASSWORD", raising=False)
        try:
            _wait_ready(instance, process)
            yield instance
        finally:
            _stop(data, process)
            log.close()
            shutil.rmtree(root, ignore_errors=True)


def _wait_ready(instance: Cluster, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (instance.root / "server.log").read_text(errors="replace")
            pytest.fail(f"the test PostgreSQL server exited: {log[-2000:]}")
        ready = subprocess.run(
            [str(instance.bin / "pg_isready"), "-q", "-h", instance.host, "-p", str(instance.port)],
            check=False,
        )
        if ready.returncode == 0:
            return
        time.sleep(0.1)
    pytest.fail("the test PostgreSQL server did not start within 30 s")


def _stop(data: Path, process: subprocess.Popen[bytes]) -> None:
    """Fast shutdown of the postmaster we started: its PID from postmaster.pid, checked to be ours."""
    if process.poll() is None:
        pid_file = data / "postmaster.pid"
        pid = int(pid_file.read_text().split()[0]) if pid_file.is_file() else process.pid
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        assert process.pid in {pid, parent}, "postmaster.pid names a process we did not start"
        os.kill(pid, signal.SIGINT)
        process.wait(timeout=30)


@dataclass
class Retiring:
    """One system to retire, for real: its database in the cluster, a data folder and a running service."""

    id: str
    database: str
    catalogue: Path
    data_dir: Path
    pidfile: Path
    service: subprocess.Popen[bytes]
    archive_store: Path
    work_dir: Path


CATALOGUE_TEMPLATE = """\
---
# Test catalogue: one system kept, one to retire. This comment must survive the decommission.
datacenter: Trung tâm Dữ liệu Thành phố Hồ Chí Minh
review_interval_days: 365

systems:
  - id: cong-dvc
    name: Cổng Dịch vụ công trực tuyến Thành phố
    owner: Văn phòng Ủy ban nhân dân Thành phố
    purpose: Tiếp nhận hồ sơ thủ tục hành chính trực tuyến
    criticality: critical
    data_classification: shared
    servers:
      - {{name: dvc-web01, vcpu: 16, ram_gb: 32, disk_gb: 200, cpu_peak_percent: 72}}
    status: keep
    reason: Nền tảng dùng chung của Thành phố
    legal_basis: {{document: Quyết định 2448/QĐ-UBND, date: 2025-07-15}}
    last_review: 2026-03-12
    data_sharing: lgsp
    centralisation_candidate: false
    backup: daily

  - id: {id}
    name: Phần mềm quản lý văn bản riêng của Sở Xây dựng
    owner: Sở Xây dựng
    purpose: Quản lý văn bản nội bộ trước khi chuyển sang hệ thống dùng chung
    criticality: medium
    data_classification: private
    servers:
      - {{name: {id}-app01, vcpu: 8, ram_gb: 16, disk_gb: 400, cpu_peak_percent: 6}}
    databases:
      - {{engine: postgresql, name: {database}, host: 127.0.0.1, port: {port}}}
    status: retire   # decided in review
    reason: Trùng chức năng với hệ thống dùng chung
    legal_basis: {{document: Quyết định 3105/QĐ-UBND, date: 2025-09-26}}
    last_review: 2026-05-14
    data_sharing: none
    centralisation_candidate: true
    backup: weekly
    decommission:
      planned: 2026-12-15
      approved_by: Giám đốc Sở Xây dựng
      services:
        - {{pidfile: {pidfile}, command: sleep}}
      data_dirs: [{data_dir}]
"""


@pytest.fixture
def retiring(cluster: Cluster, tmp_path: Path) -> Iterator[Retiring]:
    number = next(_numbers)
    system_id, database = f"qlvb-test{number}", f"qlvb_test{number}"
    cluster.create_sample(database)
    data_dir = tmp_path / "srv" / system_id / "files"
    (data_dir / "2019" / "01").mkdir(parents=True)
    (data_dir / "2019" / "01" / "quyet-dinh-1.pdf").write_bytes(os.urandom(200_000))
    (data_dir / "ghi-chu.txt").write_text("Hồ sơ lưu trữ của Sở Xây dựng\n", encoding="utf-8")
    (data_dir / "moi-nhat.pdf").symlink_to("2019/01/quyet-dinh-1.pdf")
    (data_dir / "trong").mkdir()
    service = subprocess.Popen(["sleep", "600"])
    pidfile = tmp_path / "run" / f"{system_id}.pid"
    pidfile.parent.mkdir()
    pidfile.write_text(f"{service.pid}\n")
    catalogue = tmp_path / "datacenter" / "systems.yml"
    catalogue.parent.mkdir()
    catalogue.write_text(
        CATALOGUE_TEMPLATE.format(
            id=system_id, database=database, port=cluster.port, pidfile=pidfile, data_dir=data_dir
        ),
        encoding="utf-8",
    )
    yield Retiring(
        system_id, database, catalogue, data_dir, pidfile, service, tmp_path / "archive", tmp_path / "work"
    )
    if service.poll() is None:  # the decommission did not stop it: end the process this fixture started
        service.terminate()
    service.wait(timeout=10)
