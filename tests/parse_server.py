"""A real Parse Server for the OSCA tests: npm's parse-server (pinned in tests/parse/), on the
machine's PostgreSQL (a fresh database per server), LiveQuery on the same port, files on disk.

`ParseServer` starts `node tests/parse/server.js` on a free port and seeds the backend's
classes through the REST API with the master key, as the Stele Configurator would write
them. `stop()`/`start()` keep the port, the database and the files, so a test can take the
backend away and bring it back.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from stele.adapters.local_broker import free_port

PARSE_DIR = Path(__file__).parent / "parse"
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
# Every class the stele reads live (the current client subscribes to the same).
LIVE_CLASSES = (
    "SteleScreen",
    "SteleLayoutConfig",
    "SteleGridConfig",
    "SteleDiashowConfig",
    "SteleDiashowObject",
    "SteleTilePosition",
    "SteleTile",
    "SteleLayoutType",
    "SteleState",
    "SteleTileType",
    "Kachel",  # a tile class named otherwise: the stele learns it from the pointers
    "PressRelease",
    "WeatherObserved",
)


_NAMED: dict[str, str | tuple[str, str]] = {"name": "String"}
SCHEMA: dict[str, dict[str, str | tuple[str, str]]] = {
    "SteleLayoutType": _NAMED,
    "SteleState": _NAMED,
    "SteleTileType": _NAMED,
    "SteleDiashowObject": {
        "file": "File",
        "duration": "Number",
        "startDate": "Date",
        "endDate": "Date",
        "fileType": "String",
    },
    "SteleDiashowConfig": {"name": "String", "diashowObjects": ("Relation", "SteleDiashowObject")},
    "SteleTile": {"tileType": ("Pointer", "SteleTileType"), "config": "Object"},
    "Kachel": {"tileType": ("Pointer", "SteleTileType"), "config": "Object"},
    "SteleTilePosition": {"position": "Number", "tile": ("Pointer", "SteleTile")},
    "SteleGridConfig": {"name": "String", "tiles": ("Relation", "SteleTilePosition")},
    "SteleLayoutConfig": {
        "gridConfig": ("Pointer", "SteleGridConfig"),
        "diashowConfig": ("Pointer", "SteleDiashowConfig"),
        "showHeader": "Boolean",
        "showFooter": "Boolean",
    },
    "SteleScreen": {
        "uuid": "String",
        "name": "String",
        "layoutType": ("Pointer", "SteleLayoutType"),
        "state": ("Pointer", "SteleState"),
        "layoutConfig": ("Pointer", "SteleLayoutConfig"),
        "location": "GeoPoint",
    },
    "SteleScreenshot": {"screenshot": "File", "screen": ("Pointer", "SteleScreen"), "date": "Date"},
    "PressRelease": {
        "title": "String",
        "summary": "String",
        "date": "Date",
        "imageUrl": "String",
        "url": "String",
    },
    "WeatherObserved": {
        "name": "String",
        "values": "Object",
        "dateObserved": "Date",
        "location": "GeoPoint",
    },
}


class ParseUnavailable(RuntimeError):
    """Node, npm or PostgreSQL is missing here: the OSCA tests cannot run."""


def ensure_installed() -> Path:
    """tests/parse/node_modules with parse-server, installed by npm where missing."""
    if (PARSE_DIR / "node_modules" / "parse-server" / "package.json").exists():
        return PARSE_DIR
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise ParseUnavailable("node/npm not found (apt-get install nodejs npm)")
    lock = (PARSE_DIR / "package-lock.json").exists()
    cmd = [npm, "ci" if lock else "install", "--no-audit", "--no-fund", "--loglevel=error"]
    done = subprocess.run(cmd, cwd=PARSE_DIR, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise ParseUnavailable(f"npm could not install parse-server: {done.stderr.strip()[-400:]}")
    return PARSE_DIR


def _psql(sql: str) -> None:
    psql = shutil.which("psql")
    if psql is None:
        raise ParseUnavailable("psql not found: PostgreSQL client missing")
    args = [psql, "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-d", "postgres"]
    done = subprocess.run(
        [*args, "-v", "ON_ERROR_STOP=1", "-qc", sql], capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        raise ParseUnavailable(f"PostgreSQL at {PG_HOST}:{PG_PORT}: {done.stderr.strip()}")


@dataclass
class SteleUser:
    username: str
    password: str


class ParseServer:
    def __init__(self, workdir: Path) -> None:
        ensure_installed()
        self.workdir = workdir
        self.port = free_port()
        self.app_id = "osca-test-" + secrets.token_hex(4)
        self.js_key = "js-" + secrets.token_hex(8)
        self.master_key = "master-" + secrets.token_hex(12)
        self.database = "stele_osca_" + secrets.token_hex(6)
        _psql(f"CREATE DATABASE {self.database}")
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = workdir / "parse-server.log"
        self.user = SteleUser("stele-" + secrets.token_hex(3), secrets.token_urlsafe(12))

    # --- process ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/parse"

    def start(self, timeout_s: float = 60.0) -> ParseServer:
        cfg = {
            "port": self.port,
            "appId": self.app_id,
            "javascriptKey": self.js_key,
            "masterKey": self.master_key,
            "databaseURI": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.database}",
            "filesDir": "stele-test-files",
            "liveQueryClasses": list(LIVE_CLASSES),
        }
        env = {**os.environ, "STELE_PARSE_CONFIG": json.dumps(cfg)}
        log = self._log.open("ab")
        # cwd: the files adapter keeps uploads under ./files/ of the working directory.
        self._proc = subprocess.Popen(
            ["node", str(PARSE_DIR / "server.js")],
            cwd=self.workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"parse-server exited: {self.log_tail()}")
            try:
                if requests.get(f"{self.url}/health", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"parse-server not healthy within {timeout_s} s: {self.log_tail()}")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def close(self) -> None:
        self.stop()
        with contextlib.suppress(ParseUnavailable):
            _psql(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")

    def log_tail(self, n: int = 2000) -> str:
        try:
            return self._log.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    # --- REST with the master key (the configurator's side) --------------------------------

    def _headers(self) -> dict[str, str]:
        return {"X-Parse-Application-Id": self.app_id, "X-Parse-Master-Key": self.master_key}

    def rest(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        query = {k: json.dumps(v) if not isinstance(v, str) else v for k, v in params.items()}
        r = requests.request(
            method,
            self.url + path,
            headers=self._headers(),
            json=body,
            params=query or None,
            timeout=10,
        )
        if not r.ok:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text[:300]}")
        return r.json()

    def create(self, cls: str, **fields: Any) -> str:
        return str(self.rest("POST", f"/classes/{cls}", fields)["objectId"])

    def update(self, cls: str, object_id: str, **fields: Any) -> None:
        self.rest("PUT", f"/classes/{cls}/{object_id}", fields)

    def delete(self, cls: str, object_id: str) -> None:
        self.rest("DELETE", f"/classes/{cls}/{object_id}")

    def find(self, cls: str, **params: Any) -> list[dict[str, Any]]:
        return list(self.rest("GET", f"/classes/{cls}", **params)["results"])

    def upload(self, name: str, data: bytes, content_type: str) -> dict[str, str]:
        r = requests.post(
            f"{self.url}/files/{name}",
            headers={**self._headers(), "Content-Type": content_type},
            data=data,
            timeout=30,
        )
        if not r.ok:
            raise RuntimeError(f"upload {name}: {r.status_code} {r.text[:300]}")
        return {"__type": "File", "name": r.json()["name"], "url": r.json()["url"]}

    def relate(self, cls: str, object_id: str, field: str, target: str, ids: list[str]) -> None:
        self.update(
            cls,
            object_id,
            **{field: {"__op": "AddRelation", "objects": [pointer(target, i) for i in ids]}},
        )

    def unrelate(self, cls: str, object_id: str, field: str, target: str, ids: list[str]) -> None:
        self.update(
            cls,
            object_id,
            **{field: {"__op": "RemoveRelation", "objects": [pointer(target, i) for i in ids]}},
        )

    # --- seeding -------------------------------------------------------------------------

    def seed_schema(self) -> None:
        """The backend's classes and field types, as the OSCA backend has them before any
        stele connects (clients may not create classes: allowClientClassCreation is off)."""
        for cls, fields in SCHEMA.items():
            body = {
                "className": cls,
                "fields": {
                    name: (
                        {"type": kind[0], "targetClass": kind[1]}
                        if isinstance(kind, tuple)
                        else {"type": kind}
                    )
                    for name, kind in fields.items()
                },
            }
            self.rest("POST", f"/schemas/{cls}", body)

    def seed_user(self) -> SteleUser:
        self.rest(
            "POST", "/users", {"username": self.user.username, "password": self.user.password}
        )
        return self.user

    def named(self, cls: str, name: str) -> str:
        """The id of the row of `cls` called `name` (made on first use): layout types, states,
        tile types are such small lookup classes in the backend."""
        found = self.find(cls, where={"name": name}, limit=1)
        return str(found[0]["objectId"]) if found else self.create(cls, name=name)

    def seed_screen(
        self,
        uuid: str,
        *,
        name: str = "Testsaeule",
        layout: str = "Diashow",
        state: str = "Aktiv",
        location: tuple[float, float] | None = (51.17, 7.08),
        layout_config: str | None = None,
    ) -> str:
        fields: dict[str, Any] = {
            "uuid": uuid,
            "name": name,
            "layoutType": pointer("SteleLayoutType", self.named("SteleLayoutType", layout)),
            "state": pointer("SteleState", self.named("SteleState", state)),
        }
        if location is not None:
            fields["location"] = geo(*location)
        if layout_config is not None:
            fields["layoutConfig"] = pointer("SteleLayoutConfig", layout_config)
        return self.create("SteleScreen", **fields)

    def seed_layout(
        self,
        *,
        diashow: str | None = None,
        grid: str | None = None,
        header: bool = True,
        footer: bool = True,
    ) -> str:
        fields: dict[str, Any] = {"showHeader": header, "showFooter": footer}
        if diashow is not None:
            fields["diashowConfig"] = pointer("SteleDiashowConfig", diashow)
        if grid is not None:
            fields["gridConfig"] = pointer("SteleGridConfig", grid)
        return self.create("SteleLayoutConfig", **fields)

    def seed_diashow(self, objects: list[dict[str, Any]]) -> str:
        """A SteleDiashowConfig whose diashowObjects relation holds one SteleDiashowObject per
        entry: {name, data, content_type, duration, start, end, file_type}."""
        ids = []
        for o in objects:
            fields: dict[str, Any] = {
                "file": self.upload(o["name"], o["data"], o["content_type"]),
                "duration": o.get("duration", 10),
                "fileType": o["file_type"],
            }
            for key, field in (("start", "startDate"), ("end", "endDate")):
                if o.get(key) is not None:
                    fields[field] = date(o[key])
            ids.append(self.create("SteleDiashowObject", **fields))
        config = self.create("SteleDiashowConfig", name="Diashow")
        if ids:  # Parse refuses an AddRelation without objects
            self.relate("SteleDiashowConfig", config, "diashowObjects", "SteleDiashowObject", ids)
        return config

    def seed_grid(
        self, tiles: list[tuple[int, str, dict[str, Any]]], tile_class: str = "SteleTile"
    ) -> str:
        """A SteleGridConfig with (position, tile type name, config) tiles, the tiles in
        `tile_class` (the issue does not name the backend's tile class)."""
        ids = []
        for position, type_name, config in tiles:
            tile_type = self.named("SteleTileType", type_name)
            tile = self.create(
                tile_class, tileType=pointer("SteleTileType", tile_type), config=config
            )
            ids.append(
                self.create("SteleTilePosition", position=position, tile=pointer(tile_class, tile))
            )
        grid = self.create("SteleGridConfig", name="Kacheln")
        self.relate("SteleGridConfig", grid, "tiles", "SteleTilePosition", ids)
        return grid


def pointer(cls: str, object_id: str) -> dict[str, str]:
    return {"__type": "Pointer", "className": cls, "objectId": object_id}


def geo(lat: float, lon: float) -> dict[str, Any]:
    return {"__type": "GeoPoint", "latitude": lat, "longitude": lon}


def date(value: Any) -> dict[str, str]:
    """A Parse Date from a datetime (UTC, millisecond ISO form as Parse writes it)."""
    from datetime import UTC

    iso = value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"__type": "Date", "iso": iso}
