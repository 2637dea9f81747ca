"""The three brokers the MQTT tests run against, behind one small interface.

- Mosquitto: a private process per test (stele.adapters.local_broker).
- NATS: a private `nats-server` per test on free loopback ports, with the MQTT listener,
  JetStream (which NATS needs for MQTT) in the test's directory and a `server_name`.
- RabbitMQ: the machine's service with its MQTT plugin (`.ci/brokers` enables it on
  127.0.0.1:1884; STELE_RABBITMQ_MQTT=host:port points elsewhere). A test cannot restart
  a shared service, so each test gets its own virtual host (fresh retained store and
  sessions; the MQTT username "vhost:guest" selects it) and talks to it through a TCP
  relay that `kill()`/`stop()` close (every connection cut, the port refuses) and
  `start()` reopens on the same port. RabbitMQ keeps its state over such an outage, as
  a clustered broker does over the loss of one node.

Every broker has: name, host, port, auth (username/password for MqttConfig and the test
clients), mqtt5 (speaks MQTT 5), retained_to_wildcards (delivers retained messages on a
wildcard subscription), start/stop/kill/restart/log_tail/close.

A broker that is not installed or not running raises BrokerUnavailable with what to do;
the fixture turns that into a skip, or a failure when STELE_REQUIRE_BROKERS=1 (CI).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from stele.adapters.local_broker import MosquittoBroker, free_port, wait_for_port

BROKERS = ("mosquitto", "nats", "rabbitmq")
NATS_DEFAULT = "/usr/sbin/nats-server"
RABBIT_MQTT_DEFAULT = "127.0.0.1:1884"


class BrokerUnavailable(Exception):
    """This broker cannot be used on this machine; the message says why and what to do."""


class Mosquitto(MosquittoBroker):
    name = "mosquitto"
    mqtt5 = True
    retained_to_wildcards = True
    auth: dict[str, str] = {}  # noqa: RUF012 - read-only


REPO = Path(__file__).resolve().parents[1]
CITY_CONF = REPO / "config" / "mosquitto" / "mosquitto.conf"


def install_city_certs(pki_dir: Path, certs: Path, host: str = "127.0.0.1") -> None:
    """What a city copies from its `stele pki` directory to the broker's certs directory."""
    certs.mkdir(parents=True, exist_ok=True)
    for src, dst in (("ca.crt", "ca.crt"), (f"server/{host}.crt", "broker.crt"),
                     (f"server/{host}.key", "broker.key"), ("crl.pem", "crl.pem")):
        shutil.copyfile(pki_dir / src, certs / dst)


class CityMosquitto(Mosquitto):
    """The shipped production config (config/mosquitto/mosquitto.conf: TLS, a client
    certificate per stele, CN as username, CRL, ACL) with only port, data dir, the certs
    directory (see install_city_certs) and the ACL path swapped."""

    def __init__(self, workdir: Path, certs: Path, acl: Path) -> None:
        text = CITY_CONF.read_text(encoding="utf-8")
        for old, new in (("listener 8883", "listener @PORT@ @HOST@"),
                         ("/var/lib/mosquitto/", "@DIR@/"),
                         ("/etc/mosquitto/certs/", f"{certs}/"),
                         ("/etc/mosquitto/stele.acl", str(acl))):
            if old not in text:
                raise RuntimeError(f"{old!r} no longer in {CITY_CONF}: update CityMosquitto")
            text = text.replace(old, new)
        super().__init__(workdir=workdir, base_config=text)

    def reload(self) -> None:
        """SIGHUP, as `systemctl reload mosquitto` sends: Mosquitto reads its files again
        (the CRL too) without dropping anyone."""
        if self._proc is None:
            raise RuntimeError("broker not running")
        self._proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while "Reloading config" not in self.log_tail(4000) and time.monotonic() < deadline:
            time.sleep(0.02)
        # The log line comes before the reload is over: a connection at that moment was
        # once refused (a CI run under load). Ready again means the listener answers.
        if not wait_for_port(self.host, self.port, 5):
            raise RuntimeError(f"Mosquitto did not listen again after SIGHUP: {self.log_tail(2000)}")


class NatsBroker:
    """A private nats-server with its MQTT listener; restart() keeps ports and JetStream."""

    name = "nats"
    host = "127.0.0.1"
    mqtt5 = False  # NATS 2.9/2.10 answer an MQTT 5 CONNECT with return code 1
    retained_to_wildcards = True
    auth: dict[str, str] = {}  # noqa: RUF012 - read-only

    def __init__(self, workdir: Path) -> None:
        self.binary = find_nats()
        self.workdir = workdir
        self.port = free_port(self.host)
        self.client_port = free_port(self.host)
        self.log_path = workdir / "nats.log"
        self.config_path = workdir / "nats.conf"
        self.config_path.write_text(
            "\n".join(
                [
                    f"listen: {self.host}:{self.client_port}",
                    # NATS refuses MQTT without JetStream, and JetStream without a server_name.
                    f"server_name: stele-test-{self.client_port}",
                    f'jetstream {{ store_dir: "{workdir}/jetstream" }}',
                    f"mqtt {{ listen: {self.host}:{self.port} }}",
                    # NATS' default 1 MB is below stele's max_payload_bytes (docs/brokers.md).
                    "max_payload: 8MB",
                    f'log_file: "{self.log_path}"',
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 10.0) -> None:
        if self.running:
            return
        self._proc = subprocess.Popen(
            [self.binary, "-c", str(self.config_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"nats-server exited with {self._proc.returncode}: {self.log_tail()}")
            if wait_for_port(self.host, self.port, 0.2):
                return
        self.kill()
        raise RuntimeError(f"nats-server did not open MQTT port {self.port} in {timeout}s")

    def stop(self, timeout: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(5)

    def restart(self, downtime: float = 0.0) -> None:
        self.stop()
        if downtime:
            time.sleep(downtime)
        self.start()

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def close(self) -> None:
        self.stop()


def find_nats() -> str:
    if os.access(NATS_DEFAULT, os.X_OK):
        return NATS_DEFAULT
    found = shutil.which("nats-server")
    if found:
        return found
    raise BrokerUnavailable(
        "nats-server not found (looked at /usr/sbin/nats-server and $PATH); install it "
        "(Debian: apt install nats-server) to run the MQTT tests against NATS"
    )


# --- RabbitMQ ------------------------------------------------------------------------------


def rabbit_mqtt_address() -> tuple[str, int]:
    host, _, port = os.environ.get("STELE_RABBITMQ_MQTT", RABBIT_MQTT_DEFAULT).rpartition(":")
    return host or "127.0.0.1", int(port)


def _rabbitmqctl(*args: str, timeout: float = 60.0) -> str:
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    if not os.access(ctl, os.X_OK):
        raise BrokerUnavailable("rabbitmqctl not found: install rabbitmq-server to run the MQTT "
                                "tests against RabbitMQ")
    try:
        out = subprocess.run([ctl, "-q", *args], capture_output=True, text=True, timeout=timeout,
                             check=False)
    except subprocess.TimeoutExpired:
        raise BrokerUnavailable(f"rabbitmqctl {args[0]} did not answer in {timeout:g} s") from None
    if out.returncode != 0:
        raise BrokerUnavailable(
            f"rabbitmqctl {args[0]} failed ({out.returncode}): {(out.stderr or out.stdout).strip()[:300]}"
            " (the tests need root or the rabbitmq user's Erlang cookie to make virtual hosts)"
        )
    return out.stdout


class RabbitVhosts:
    """Virtual hosts for one test session, made in batches (one rabbitmqctl call is ~0.6 s,
    one vhost ~50 ms) and deleted at the end. Names carry the pid, so a crashed session's
    leftovers are recognisable and removed by the next one."""

    BATCH = 24
    ACTOR = "stele-tests"

    def __init__(self) -> None:
        host, port = rabbit_mqtt_address()
        if not wait_for_port(host, port, 0.5):
            raise BrokerUnavailable(
                f"no RabbitMQ MQTT listener on {host}:{port}: run ./dev brokers (enables the "
                "rabbitmq_mqtt plugin on 127.0.0.1:1884) or set STELE_RABBITMQ_MQTT=host:port"
            )
        self._free: list[str] = []
        self._made: list[str] = []
        self._n = 0
        self._remove_leftovers()

    def _remove_leftovers(self) -> None:
        stale = []
        for name in _rabbitmqctl("list_vhosts", "name").split():
            if not name.startswith("stele-test-"):
                continue
            pid = name.split("-")[2]
            if pid.isdigit() and not _alive(int(pid)):
                stale.append(name)
        self._delete(stale)

    def take(self) -> str:
        if not self._free:
            names = [f"stele-test-{os.getpid()}-{self._n + i}" for i in range(self.BATCH)]
            self._n += self.BATCH
            quoted = ",".join(f'<<"{n}">>' for n in names)
            _rabbitmqctl("eval", (
                f"[begin ok = rabbit_vhost:add(V, <<\"{self.ACTOR}\">>), "
                "ok = rabbit_auth_backend_internal:set_permissions(<<\"guest\">>, V, "
                f"<<\".*\">>, <<\".*\">>, <<\".*\">>, <<\"{self.ACTOR}\">>) end || V <- [{quoted}]]."
            ))
            self._made += names
            self._free += names
        return self._free.pop(0)

    def _delete(self, names: list[str]) -> None:
        if names:
            quoted = ",".join(f'<<"{n}">>' for n in names)
            _rabbitmqctl("eval", f'[rabbit_vhost:delete(V, <<"{self.ACTOR}">>) || V <- [{quoted}]].')

    def close(self) -> None:
        made, self._made, self._free = self._made, [], []
        with contextlib.suppress(BrokerUnavailable):
            self._delete(made)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class TcpRelay:
    """127.0.0.1:<port> -> upstream; close() cuts every connection, open() listens again."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []

    def open(self) -> None:
        with self._lock:
            if self._listener is not None:
                return
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port))
            listener.listen(64)
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                up = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                conn.close()
                continue
            up.settimeout(None)
            for s in (conn, up):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._listener is not listener:  # closed meanwhile
                    conn.close()
                    up.close()
                    return
                self._conns += [conn, up]
            for src, dst in ((conn, up), (up, conn)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            with self._lock:
                for s in (src, dst):
                    if s in self._conns:
                        self._conns.remove(s)
                        s.close()

    def close(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            conns, self._conns = self._conns, []
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone leaves it listening.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for s in conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    @property
    def is_open(self) -> bool:
        return self._listener is not None


class RabbitBroker:
    """The RabbitMQ service's MQTT plugin, one fresh vhost per test, behind a TcpRelay."""

    name = "rabbitmq"
    host = "127.0.0.1"
    mqtt5 = False  # 3.x closes an MQTT 5 CONNECT without a CONNACK
    retained_to_wildcards = False  # a documented limitation of its MQTT plugin

    def __init__(self, vhosts: RabbitVhosts) -> None:
        self.vhost = vhosts.take()
        self.auth = {"username": f"{self.vhost}:guest", "password": "guest"}
        self._relay = TcpRelay(rabbit_mqtt_address())
        self.port = self._relay.port

    @property
    def running(self) -> bool:
        return self._relay.is_open

    def start(self, timeout: float = 10.0) -> None:
        self._relay.open()

    def stop(self, timeout: float = 10.0) -> None:
        self._relay.close()

    kill = stop

    def restart(self, downtime: float = 0.0) -> None:
        self.stop()
        if downtime:
            time.sleep(downtime)
        self.start()

    def log_tail(self, chars: int = 2000) -> str:
        return f"(RabbitMQ service, vhost {self.vhost}: see /var/log/rabbitmq/)"

    def close(self) -> None:
        self._relay.close()


TestBroker = Mosquitto | NatsBroker | RabbitBroker
