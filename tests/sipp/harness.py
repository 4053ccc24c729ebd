"""What the real-peer SIP tests (run.py) are made of: the server started on free
loopback ports with a provisioned data directory, sipp and baresip processes with their
logs, /metrics checks, and the clean-up that leaves no process behind."""
from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import wave
from pathlib import Path

import rtp_tool

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios"
MOCKS = HERE / "selfcheck"

TRUNK_IP = "127.0.0.10"  # the provisioned trunk: calls from here are customer calls
AGENT_IP = "127.0.0.1"  # agents' phones: anything that is not a trunk
OTHER_IP = "127.0.0.2"  # a stranger that is neither a trunk nor registered
DOMAIN = "acme.example"
NUMBER = "0215880000"
UNKNOWN_NUMBER = "0299990000"
CUSTOMER_NUMBER = "0101234567"  # a customer an agent calls (national: country 82)
RING_TIMEOUT_S = 5
SECRETS = {"alice": "alice-SIP-secret-4417", "bob": "bob-SIP-secret-9921", "carol": "carol-SIP-secret-3318"}
WRONG_SECRET = "not-the-secret-0000"

PASSWORDS = {"alice": "Acme-alice-Login-1", "bob": "Acme-bob-Login-22", "carol": "Acme-carol-Login-3"}
GLOBEX = "globex.example"
GLOBEX_NUMBER = "8005550100"
GLOBEX_SECRETS = {"alice": "globex-alice-secret-77"}
GLOBEX_PASSWORDS = {"alice": "Globex-alice-Login-7"}
MENU_NAMES = {"1": "Orders", "2": "Billing"}


def extra_agent(i: int) -> str:
    """The ID of the i-th extra agent of Acme (multi-call tests: one agent per call)."""
    return f"agent{i:02d}"


for _i in range(1, 41):
    SECRETS[extra_agent(_i)] = f"agent{_i:02d}-SIP-secret-{_i:04d}"
    PASSWORDS[extra_agent(_i)] = f"Acme-agent{_i:02d}-Login-{_i:04d}"


# Acme's after-call categories (G1), one of them in Korean.
CATEGORIES = ["Orders", "Refunds", "배송 문의"]


def provisioning(outbound_port: int, *, after_login: str = "break", after_call: str = "acw",
                 second_menu: bool = False, extra_agents: int = 0) -> str:
    """The provisioning file: the trunk, Acme (menu 1 "Orders", alice and bob; with
    second_menu also menu 2 "Billing" served by carol alone; extra_agents more agents of
    menu 1; the after-call CATEGORIES) and Globex (its own "alice", menu 1, after_login
    ready)."""
    def agent(aid: str, name: str, menus: list[str]) -> str:
        return (f'  [[orgs.agents]]\n  id = "{aid}"\n  name = "{name}"\n  password = "{PASSWORDS[aid]}"\n'
                f'  sip_secret = "{SECRETS[aid]}"\n  menus = {menus!r}\n').replace("'", '"')
    menus = '  [[orgs.menus]]\n  digit = "1"\n  name = "Orders"\n'
    agents = agent("alice", "Alice Kim", ["1"]) + agent("bob", "Bob Lee", ["1"])
    if second_menu:
        menus += '  [[orgs.menus]]\n  digit = "2"\n  name = "Billing"\n'
        agents += agent("carol", "Carol Park", ["2"])
    for i in range(1, extra_agents + 1):
        agents += agent(extra_agent(i), f"Agent {i}", ["1"])
    return f"""
[[trunks]]
name = "sipp"
address = "{TRUNK_IP}"
outbound = "{TRUNK_IP}:{outbound_port}"

[[orgs]]
name = "Acme"
domain = "{DOMAIN}"
country_code = "82"
categories = {json.dumps(CATEGORIES, ensure_ascii=False)}
numbers = ["{NUMBER}"]
ring_timeout_s = {RING_TIMEOUT_S}
after_login = "{after_login}"
after_call = "{after_call}"
{menus}{agents}
[[orgs]]
name = "Globex"
domain = "{GLOBEX}"
country_code = "1"
numbers = ["{GLOBEX_NUMBER}"]
ring_timeout_s = {RING_TIMEOUT_S}
after_login = "ready"
  [[orgs.menus]]
  digit = "1"
  name = "Support"
  [[orgs.agents]]
  id = "alice"
  name = "Alice Globex"
  password = "{GLOBEX_PASSWORDS['alice']}"
  sip_secret = "{GLOBEX_SECRETS['alice']}"
  menus = ["1"]
"""


# Short prompts the tests drop into <data-dir>/prompts/<domain>/ (an org's own prompts
# win over the defaults): 0.3 s each, a tone of its own per prompt (none at 1 or 2 kHz,
# the media tests' tones) so that a test can tell from the RTP what was played.
PROMPT_TONES = {
    "welcome": 440, "recording_notice": 470, "menu_intro": 500, "invalid_choice": 530,
    "please_wait": 600, "callback_offer": 700, "no_agents": 800, "callback_question": 900,
    "callback_confirm": 1200, "goodbye": 1300, "position_intro": 1400, "position_outro": 1450,
    "expected_wait": 1500, "minutes": 1550,
    **{f"press_{d}": 2400 + 50 * int(d) for d in "0123456789"},
}
PROMPT_SECONDS = 0.3

SIPP = shutil.which("sipp") or "sipp"
BARESIP = shutil.which("baresip") or "baresip"
BARESIP_MODULES = "/usr/lib/baresip/modules"


# The media gauges that must be back to 0 once no call is left (after every test).
MEDIA_IDLE = {"sb_media_legs": 0, "sb_media_calls": 0, "sb_media_ports_in_use": 0}


class Failure(Exception):
    """A test failed; the message says what was expected and what happened."""


def free_port(ip: str) -> int:
    """A port free for both UDP and TCP on ip (sipp and the server use both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind((ip, 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind((ip, port))
                except OSError:
                    continue
                return port
    raise Failure(f"no free port on {ip}")


# Where the tests take blocks of UDP ports for media: below the kernel's ephemeral ports
# (32768 up) and below 20000, where the server's default --rtp-ports and the media load
# bench (20000-39999) live. The server's --rtp-ports and sipp's -mp get separate parts.
SERVER_RTP_PORTS = (10000, 16000)
SIPP_MEDIA_PORTS = (16000, 20000)
# sipp's remote-control port (-cp, UDP on 127.0.0.1): from a range below the kernel's
# ephemeral ports, so that no socket bound to port 0 (ours, the server's, another
# test's) can take it between the check and sipp's bind; chosen at random, so that the
# tests ctest runs side by side rarely meet.
SIPP_CONTROL_PORTS = (24000, 31000)


def control_port() -> int:
    for _ in range(100):
        port = random.randrange(*SIPP_CONTROL_PORTS)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            try:
                u.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise Failure("no free sipp control port")


def free_port_block(ip: str, count: int, within: tuple[int, int] = SIPP_MEDIA_PORTS) -> int:
    """The first of count consecutive UDP ports free on ip now, even, inside within:
    sipp's rtp_stream binds [media_port] (-mp) and +1 (RTCP) for its first call, +2 and
    +3 for the next, and so on, and gives up when one is taken."""
    for _ in range(100):
        base = 2 * random.randrange(within[0] // 2, (within[1] - count) // 2)
        socks = []
        try:
            for p in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind((ip, p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise Failure(f"no {count} free consecutive UDP ports on {ip}")


def rtp_range(size: int = 100) -> str:
    """--rtp-ports for one server: a random block of ports that are free now, so that
    tests running side by side (ctest -j2) and other programs on the machine rarely try
    the same ports (the server gives a call up after 8 ports it cannot bind)."""
    low = free_port_block(AGENT_IP, size, SERVER_RTP_PORTS)
    return f"{low}-{low + size - 1}"


class Proc:
    """A child in its own process group, output to files in the run's directory."""

    def __init__(self, run: "Run", name: str, argv: list[str], cwd: Path | None = None):
        self.name = name
        self.argv = argv
        self.out = run.dir / f"{name}.out"
        self.err = run.dir / f"{name}.stderr"
        self.started = time.monotonic()
        self.ended: float | None = None
        run.log(f"start {name}: {' '.join(argv)}")
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                          cwd=cwd or run.dir, start_new_session=True)
        run.procs.append(self)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait(self, timeout: float) -> int:
        """Exit code; kills it and fails the test when it runs longer than timeout."""
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise Failure(f"{self.name} did not finish within {timeout:.0f} s (killed)")
        if self.ended is None:
            self.ended = time.monotonic()
        return code

    def elapsed(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    def signal(self, sig: int) -> None:
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, grace: float = 3.0) -> int | None:
        """SIGTERM to the group, SIGKILL after grace; returns the exit code."""
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.popen.wait(timeout=5)
        self.signal(signal.SIGKILL)  # leftovers in the group, if any
        if self.ended is None:
            self.ended = time.monotonic()
        return self.popen.returncode


class Sipp(Proc):
    def __init__(self, run: "Run", name: str, argv: list[str], scenario: Path):
        super().__init__(run, name, argv)
        self.scenario = scenario
        self.messages = run.dir / f"{name}.messages.log"
        self.errors = run.dir / f"{name}.errors.log"
        self.screen = run.dir / f"{name}.screen.log"

    def received_responses(self) -> list[int]:
        """Status codes of the responses it received, in order (100 left out)."""
        if not self.messages.exists():
            return []
        text = self.messages.read_text(errors="replace")
        codes = [int(c) for c in re.findall(r"message received \[\d+\] bytes :\s*\n\s*SIP/2\.0 (\d{3})", text)]
        return [c for c in codes if c != 100]

    def received_anything(self) -> bool:
        return self.messages.exists() and "message received" in self.messages.read_text(errors="replace")

    def messages_log(self) -> list[tuple[float, str, str]]:
        """(wall-clock time, "sent" or "received", first line) of every SIP message in its
        -trace_msg log, in order (sipp stamps them in local time, as time.time() reads)."""
        if not self.messages.exists():
            return []
        out = []
        for m in MESSAGE_RE.finditer(self.messages.read_text(errors="replace")):
            when = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
            out.append((when, m.group(2), m.group(3).strip()))
        return out

    def times(self, direction: str, first_line: str) -> list[float]:
        """When it sent or received messages whose first line matches first_line (a regex)."""
        return [t for t, d, line in self.messages_log() if d == direction and re.match(first_line, line)]

    def received_requests(self, method: str) -> int:
        if not self.messages.exists():
            return 0
        text = self.messages.read_text(errors="replace")
        return len(re.findall(rf"message received \[\d+\] bytes :\s*\n\s*{method} sip", text))


MESSAGE_RE = re.compile(r"-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n\w+ message (sent|received)[^\n]*\n\s*\n([^\n]*)")


class Server:
    def __init__(self, proc: Proc, http_port: int, sip_port: int):
        self.proc, self.http_port, self.sip_port = proc, http_port, sip_port

    @property
    def sip(self) -> str:
        return f"127.0.0.1:{self.sip_port}"


class Run:
    """One test: its directory, its processes, its checks."""

    def __init__(self, name: str, args: argparse.Namespace):
        self.name = name
        self.args = args
        self.dir = Path(tempfile.mkdtemp(prefix=f"sb-sipp-{name}-"))
        self.procs: list[Proc] = []
        self.server: Server | None = None
        self.registered: list[tuple[str, str, int, str, str]] = []  # (agent, ip, port, transport, domain)
        self.tokens: dict[tuple[str, str], str] = {}  # (org domain, agent) → session token
        self.outbound_port = 0
        self.sinks: list[socket.socket] = []
        self.peers: list = []  # rtp_tool.RtpPeer, stopped by close()
        self.server_argv: list[str] = []
        self.trace: list[str] = []

    def log(self, line: str) -> None:
        self.trace.append(f"[{time.strftime('%H:%M:%S')}] {line}")
        if self.args.verbose:
            print(self.trace[-1], flush=True)

    def finish(self) -> None:
        """The last check of a test that passed: the server is still up and stops
        cleanly on SIGTERM (exit 0), so a crash or a hang at shutdown fails the test."""
        if not self.server:
            return
        proc = self.server.proc
        if not proc.alive():
            raise Failure(f"the server died during the test (exit {proc.popen.returncode})")
        self.expect_gauges(MEDIA_IDLE)  # no media leg, call or port left behind
        proc.signal(signal.SIGTERM)
        try:
            code = proc.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise Failure("the server did not stop within 10 s of SIGTERM")
        if code != 0:
            raise Failure(f"the server exited with {code} on SIGTERM")
        # A sanitizer build that only reports (UBSan without -fno-sanitize-recover).
        report = re.search(r".*(runtime error:|ERROR: \w+Sanitizer).*", proc.err.read_text(errors="replace"))
        if report:
            raise Failure(f"the server's stderr has a sanitizer report: {report.group(0)}")
        self.log("server stopped cleanly")

    def close(self) -> None:
        for p in reversed(self.procs):
            p.stop()
        for s in self.sinks:
            s.close()
        for peer in self.peers:
            peer.stop()

    # --- the server -------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self.dir / "data"

    def start_server(self, extra: list[str] | None = None, *, prompts: bool = True, **prov) -> Server:
        """Provisions the data directory (prov: provisioning()'s options) and starts
        `serve` on it; extra: more flags (e.g. --media-timeout 3), kept for
        restart_server(). prompts: short prompt files for both orgs (see PROMPT_TONES)."""
        binary = self.args.binary
        if not binary or not os.access(binary, os.X_OK):
            raise Failure(f"no switchboard binary at {binary!r} (--binary)")
        binary = os.path.abspath(binary)  # the children run in the test's directory
        data = self.data_dir
        prov_options = prov
        prov = self.dir / "provisioning.toml"
        self.outbound_port = free_port(TRUNK_IP)  # where the trunk takes our outbound calls
        prov.write_text(provisioning(self.outbound_port, **prov_options))
        imp = subprocess.run([binary, "admin", "--data-dir", str(data), "import", str(prov)],
                             capture_output=True, text=True, timeout=60)
        if imp.returncode != 0:
            raise Failure(f"import failed ({imp.returncode}): {imp.stderr}{imp.stdout}")
        if prompts:
            for domain in (DOMAIN, GLOBEX):
                folder = data / "prompts" / domain
                folder.mkdir(parents=True, exist_ok=True)
                for name, freq in PROMPT_TONES.items():
                    rtp_tool.write_wav(folder / f"{name}.wav", rtp_tool.tone(freq, PROMPT_SECONDS, 8000))
        self.server_argv = [binary, "serve", "--data-dir", str(data), "--http", "127.0.0.1:0",
                            "--sip", "127.0.0.1:0", "--rtp-ports", rtp_range(), "--log-level", "debug",
                            *(extra or [])]
        return self._serve("server")

    def kill_server(self, sig: int = signal.SIGKILL) -> int:
        """Signals the running server (SIGKILL: a crash) and waits for it; its exit code."""
        assert self.server
        proc = self.server.proc
        self.log(f"{proc.name}: signal {signal.Signals(sig).name}")
        proc.signal(sig)
        code = proc.popen.wait(timeout=10)
        proc.ended = time.monotonic()
        self.log(f"{proc.name} exited with {code}")
        self.server = None
        return code

    def restart_server(self) -> Server:
        """A new server on the same data directory, flags and RTP ports (after kill_server)."""
        if self.server and self.server.proc.alive():
            raise Failure("restart_server: the server is still running")
        n = sum(1 for p in self.procs if p.name.startswith("server"))
        return self._serve(f"server-{n + 1}")

    def _serve(self, name: str) -> Server:
        proc = Proc(self, name, self.server_argv)
        http_re = re.compile(r"switchboard: http listening on 127\.0\.0\.1:(\d+)")
        sip_re = re.compile(r"switchboard: sip listening on 127\.0\.0\.1:(\d+) \(udp, tcp\)")
        deadline = time.monotonic() + 20
        http = sip = None
        while time.monotonic() < deadline:
            text = proc.out.read_text(errors="replace")
            http = http or (m.group(1) if (m := http_re.search(text)) else None)
            sip = sip or (m.group(1) if (m := sip_re.search(text)) else None)
            if http and sip:
                break
            if not proc.alive():
                break
            if http and time.monotonic() > deadline - 15:  # 5 s on, HTTP is up and still no SIP
                break
            time.sleep(0.05)
        if not (http and sip):
            out = proc.out.read_text(errors="replace")
            raise Failure("the server did not print 'switchboard: sip listening on 127.0.0.1:PORT (udp, tcp)'"
                          f" (exit code {proc.popen.poll()}); its stdout:\n{out}")
        self.server = Server(proc, int(http), int(sip))
        self.log(f"{name} up: http {http}, sip {sip}")
        return self.server

    def metrics(self) -> dict[str, float]:
        assert self.server
        url = f"http://127.0.0.1:{self.server.http_port}/metrics"
        # No proxy from the environment: this is loopback.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=5) as r:
            text = r.read().decode()
        values: dict[str, float] = {}
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            parts = line.split()
            if len(parts) >= 2:
                name = parts[0].split("{")[0]
                try:
                    values[name] = values.get(name, 0.0) + float(parts[1])
                except ValueError:
                    pass
        return values

    def expect_gauges(self, expected: dict[str, float], timeout: float = 8.0) -> None:
        """Waits until every gauge has its value; fails with the last values seen."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.metrics()
            missing = [n for n in expected if n not in seen]
            if missing:
                raise Failure(f"/metrics has no {', '.join(missing)}")
            wrong = {n: seen[n] for n, v in expected.items() if seen[n] != v}
            if not wrong:
                self.log(f"gauges ok: {expected}")
                return
            if time.monotonic() > deadline:
                raise Failure(f"after {timeout:.0f} s the gauges are {wrong}, expected {expected}"
                              f" (all sb_sip_* and sb_media_*: "
                              f"{ {k: v for k, v in seen.items() if k.startswith(('sb_sip_', 'sb_media_'))} })")
            time.sleep(0.1)

    def expect_idle(self) -> None:
        """No call and no dialog left: these gauges drop as soon as a call ends."""
        self.expect_gauges({"sb_sip_calls": 0, "sb_sip_dialogs": 0, "sb_acd_calls": 0, "sb_acd_waiting": 0,
                            **MEDIA_IDLE})
        if self.args.linger:
            self.expect_gauges({"sb_sip_transactions": 0}, timeout=40)

    # --- sipp -------------------------------------------------------------------------

    def sipp(self, name: str, scenario: str | Path, ip: str, *, target: str | None = None, port: int | None = None,
             keys: dict[str, str] | None = None, extra: list[str] | None = None, calls: int = 1,
             transport: str = "u1", pause_ms: int = 200) -> Sipp:
        if isinstance(scenario, Path):
            path = scenario
        elif scenario.startswith("mock:"):
            path = MOCKS / scenario[len("mock:"):]
        else:
            path = SCENARIOS / scenario
        port = port or free_port(ip)
        argv = [SIPP, "-sf", str(path)]
        if target:
            argv.append(target)
        argv += ["-i", ip, "-p", str(port), "-bind_local", "-t", transport, "-m", str(calls),
                 "-nostdin", "-cp", str(control_port()), "-d", str(pause_ms),
                 "-timeout", "60s", "-timeout_error", "-max_invite_retrans", "7", "-rtcheck", "loose",
                 "-trace_msg", "-message_file", f"{name}.messages.log",
                 "-trace_err", "-error_file", f"{name}.errors.log",
                 "-trace_screen", "-screen_file", f"{name}.screen.log"]
        for k, v in (keys or {}).items():
            argv += ["-key", k, v]
        argv += extra or []
        p = Sipp(self, name, argv, path)
        p.ip, p.port = ip, port  # type: ignore[attr-defined]
        return p

    def expect_exit(self, p: Proc, timeout: float, code: int = 0) -> None:
        got = p.wait(timeout)
        if got != code:
            raise Failure(f"{p.name} exited with {got}, expected {code}"
                          + (" (sipp: 1 = a call failed, 255 = fatal error)" if isinstance(p, Sipp) else ""))
        self.log(f"{p.name} exited with {got} after {p.elapsed():.1f} s")

    def rtp_sink(self, ip: str) -> int:
        """A bound UDP port for an SDP to name, so that RTP sent to it meets no ICMP error."""
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((ip, 0))
        self.sinks.append(s)
        return s.getsockname()[1]

    def register(self, agent: str, contact_ip: str, contact_port: int, *, expires: int = 3600,
                 scenario: str = "register.xml", secret: str | None = None, name: str | None = None,
                 transport: str = "UDP", expect: int = 0, target: str | None = None,
                 remember: bool = True, domain: str = DOMAIN, wait: bool = True) -> Sipp:
        """Registers sip:agent@domain (acme.example) with the Contact contact_ip:contact_port
        (wait=False: starts the sipp only; then expect_exit it)."""
        contact = f"sip:{agent}@{contact_ip}:{contact_port}"
        if transport != "UDP":
            contact += f";transport={transport.lower()}"
        if secret is None:
            secret = (GLOBEX_SECRETS if domain == GLOBEX else SECRETS).get(agent, WRONG_SECRET)
        p = self.sipp(name or f"register-{agent}-{expires}" + ("" if domain == DOMAIN else f"-{domain}"), scenario,
                      contact_ip, target=target or self.server.sip,  # type: ignore[union-attr]
                      keys={"user": agent, "domain": domain, "contact": contact, "expires": str(expires)},
                      extra=["-au", agent, "-ap", secret, "-auth_uri", domain, "-default_behaviors", "all,-bye"])
        if wait:
            self.expect_exit(p, 15, expect)
        if remember and expires > 0 and expect == 0:
            self.registered.append((agent, contact_ip, contact_port, transport, domain))
        return p

    def unregister_all(self) -> None:
        # One after the other: sipps started together may pick the same free port (-cp).
        for agent, ip, port, transport, domain in self.registered:
            self.register(agent, ip, port, expires=0, transport=transport, domain=domain, remember=False,
                          name=f"unregister-{agent}-{port}" + ("" if domain == DOMAIN else f"-{domain}"))
        self.registered.clear()
        self.expect_gauges({"sb_sip_registrations": 0}, timeout=5)

    def phone(self, agent: str, scenario: str | Path, *, calls: int = 1, ip: str = AGENT_IP,
              extra: list[str] | None = None, pause_ms: int = 200, register: bool = True,
              name: str | None = None, rtp_port: int | None = None, domain: str = DOMAIN,
              also: list[str] | None = None) -> Sipp:
        """An agent's phone: a sipp UAS that takes calls, registered unless told not to.
        rtp_port: what its SDP names as [rtp_port] (a bound sink unless given); also: more
        agents registered with this same phone as their Contact (one call each)."""
        p = self.sipp(name or f"phone-{agent}", scenario, ip,
                      keys={"user": agent, "rtp_port": str(rtp_port or self.rtp_sink(ip))},
                      extra=["-aa"] + (extra or []), calls=calls, pause_ms=pause_ms)
        time.sleep(0.2)
        if not p.alive():
            raise Failure(f"{p.name} exited at once ({p.popen.returncode})")
        if register:
            for a in [agent, *(also or [])]:
                self.register(a, ip, p.port, domain=domain)  # type: ignore[attr-defined]
        return p

    def customer(self, scenario: str | Path, *, number: str = NUMBER, ip: str = TRUNK_IP,
                 target: str | None = None, calls: int = 1, extra: list[str] | None = None,
                 name: str = "customer", pause_ms: int = 200, rtp_port: int | None = None,
                 transport: str = "u1") -> Sipp:
        return self.sipp(name, scenario, ip, target=target or self.server.sip,  # type: ignore[union-attr]
                         keys={"rtp_port": str(rtp_port or self.rtp_sink(ip))},
                         extra=["-s", number] + (extra or []), calls=calls, pause_ms=pause_ms,
                         transport=transport)

    # --- the contact center: agents over HTTP, the database -------------------------------

    def http(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
        """(status, JSON body) of one request to the server's HTTP API."""
        assert self.server
        req = urllib.request.Request(f"http://127.0.0.1:{self.server.http_port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode())
        if body is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=10) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw) if raw else {}
        except ValueError:
            return status, {"raw": raw.decode(errors="replace")}

    def login(self, agent: str, *, ready: bool = False, domain: str = DOMAIN) -> str:
        """Logs agent in (POST /api/v1/sessions) and, when ready, puts it in Ready; the token."""
        org, password = ("Globex", GLOBEX_PASSWORDS[agent]) if domain == GLOBEX else ("Acme", PASSWORDS[agent])
        status, body = self.http("POST", "/api/v1/sessions", {"org": org, "agent": agent, "password": password})
        if status != 201 or "token" not in body:
            raise Failure(f"login of {agent}@{domain}: {status} {body}")
        self.tokens[(domain, agent)] = body["token"]
        self.log(f"{agent}@{domain} logged in")
        if ready:
            self.set_state(agent, "ready", domain=domain)
        return body["token"]

    def set_state(self, agent: str, state: str, *, domain: str = DOMAIN) -> None:
        status, body = self.http("PUT", "/api/v1/me/state", {"state": state}, self.tokens[(domain, agent)])
        if status != 200 or body.get("state") != state:
            raise Failure(f"PUT /api/v1/me/state {state} for {agent}@{domain}: {status} {body}")
        self.log(f"{agent}@{domain} → {state}")

    def state(self, agent: str, *, domain: str = DOMAIN) -> str:
        status, body = self.http("GET", "/api/v1/me/state", token=self.tokens[(domain, agent)])
        if status != 200:
            raise Failure(f"GET /api/v1/me/state for {agent}@{domain}: {status} {body}")
        return body.get("state", "?")

    def wait_state(self, agent: str, state: str, *, domain: str = DOMAIN, timeout: float = 5.0) -> None:
        """Polls GET /api/v1/me/state until agent is in state; fails with the last one."""
        deadline = time.monotonic() + timeout
        while (got := self.state(agent, domain=domain)) != state:
            if time.monotonic() > deadline:
                raise Failure(f"{agent}@{domain} is {got!r} after {timeout:.0f} s, expected {state!r}")
            time.sleep(0.05)
        self.log(f"{agent}@{domain} is {state}")

    def db(self, sql: str, args: tuple = ()) -> list[dict]:
        """Rows of a query on <data-dir>/switchboard.db, opened read-only."""
        con = sqlite3.connect(f"file:{self.data_dir / 'switchboard.db'}?mode=ro", uri=True, timeout=5)
        try:
            con.row_factory = sqlite3.Row
            return [dict(row) for row in con.execute(sql, args)]
        finally:
            con.close()

    def calls(self) -> list[dict]:
        """The `calls` table, each row with its org's domain, the agent's ID and the menu's digit."""
        return self.db("SELECT c.*, o.domain AS domain, a.agent_id AS agent, m.digit AS menu_digit,"
                       " m.name AS menu_name FROM calls c JOIN orgs o ON o.id = c.org_id"
                       " LEFT JOIN agents a ON a.key = c.agent_key LEFT JOIN menus m ON m.id = c.menu ORDER BY c.id")

    def offers(self, call_id: int) -> list[str]:
        """The agents a call was offered to (call_offers), in order."""
        return [row["agent"] for row in self.db("SELECT a.agent_id AS agent FROM call_offers f LEFT JOIN agents a"
                                                " ON a.key = f.agent_key WHERE f.call_id = ? ORDER BY f.seq",
                                                (call_id,))]

    def callbacks(self) -> list[dict]:
        return self.db("SELECT b.*, o.domain AS domain, m.digit AS menu_digit FROM callbacks b"
                       " JOIN orgs o ON o.id = b.org_id LEFT JOIN menus m ON m.id = b.menu ORDER BY b.id")

    def wait_calls(self, count: int, timeout: float = 8.0) -> list[dict]:
        """Waits until `calls` has count rows, none of them in_progress (records are written
        by a queue after the call); fails with what is there."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.calls()
            if len(rows) == count and all(row["result"] != "in_progress" for row in rows):
                self.log(f"calls: {[(row['id'], row['result'], row['ended_by'], row['agent']) for row in rows]}")
                return rows
            if time.monotonic() > deadline:
                raise Failure(f"expected {count} finished rows in `calls` within {timeout:.0f} s, found {rows}")
            time.sleep(0.1)

    def expect_call(self, row: dict, **expected) -> None:
        """Each field of a `calls` row (as calls() gives it) has its expected value."""
        wrong = {k: row.get(k) for k, v in expected.items() if row.get(k) != v}
        if wrong:
            raise Failure(f"call {row.get('id')}: {wrong}, expected {expected} (row: {row})")

    def wait_log(self, msg: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, str]]:
        """Waits until the server logged msg count times."""
        deadline = time.monotonic() + timeout
        while len(lines := self.server_log(msg)) < count:
            if time.monotonic() > deadline:
                raise Failure(f"the server logged {msg!r} {len(lines)} times within {timeout:.0f} s, expected {count}")
            time.sleep(0.05)
        return lines

    # --- media ------------------------------------------------------------------------

    def media_args(self, ip: str, calls: int = 1) -> list[str]:
        """-mi/-mp for a sipp that plays RTP (rtp_stream, play_pcap_audio): a block of
        free ports for its calls' streams."""
        return ["-mi", ip, "-mp", str(free_port_block(ip, 2 * calls + 2))]

    def rtp_peer(self, ip: str) -> "rtp_tool.RtpPeer":
        """A recording RTP peer (rtp_tool.RtpPeer) on ip, stopped with the test."""
        peer = rtp_tool.RtpPeer(ip)
        self.peers.append(peer)
        self.log(f"rtp peer on {ip}:{peer.port}")
        return peer

    def recordings(self) -> list[Path]:
        root = self.data_dir / "recordings"
        return sorted(root.rglob("*.wav")) if root.exists() else []

    def server_log(self, msg: str) -> list[dict[str, str]]:
        """The key=value fields of every server log line (text format, any server of the
        test) whose message is msg, in order."""
        out = []
        line_re = re.compile(rf"^\S+ \w+ {re.escape(msg)}(?: |$)(.*)$")
        for p in self.procs:
            if not p.name.startswith("server"):
                continue
            for line in p.err.read_text(errors="replace").splitlines():
                m = line_re.match(line)
                if m:
                    out.append({k: v.strip('"') for k, v in re.findall(r'([\w.]+)=("(?:[^"\\]|\\.)*"|\S+)',
                                                                        m.group(1))})
        return out

    def expect_no_invite(self, phone: Sipp) -> None:
        time.sleep(0.5)
        n = phone.received_requests("INVITE")
        if n:
            raise Failure(f"{phone.name} got {n} INVITE(s) but nothing may ring in this test")
        phone.stop()

    # --- failure report ---------------------------------------------------------------

    def report(self) -> str:
        out = [f"---- {self.name}: kept in {self.dir}", *self.trace]
        for p in self.procs:
            out.append(f"---- {p.name}: exit {p.popen.returncode}, {p.elapsed():.1f} s: {' '.join(p.argv)}")
            files = [p.err]
            if isinstance(p, Sipp):
                files = [p.errors, p.err, p.messages]
            elif p.name.startswith("server"):
                files = [p.out, p.err]
            elif p.name.startswith("baresip"):
                files = [p.out, p.err]
            for f in files:
                if f.exists() and f.stat().st_size:
                    lines = f.read_text(errors="replace").splitlines()
                    cut = len(lines) > 400
                    out.append(f"-- {f.name}" + (f" (last 400 of {len(lines)} lines)" if cut else ""))
                    out.extend(lines[-400:])
        return "\n".join(out)


# --- baresip --------------------------------------------------------------------------

def write_baresip_config(r: Run, transport: str, registrar: str) -> tuple[Path, int]:
    """A headless baresip: G.711, a WAV file as the microphone (aufile), no audio player
    and no sound card; the account auto-answers. Returns (config dir, SIP port)."""
    cfg = r.dir / f"baresip-{transport}"
    cfg.mkdir()
    wav = cfg / "silence.wav"
    with wave.open(str(wav), "wb") as w:  # ausine only does 48 kHz; aufile takes any WAV
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 8000 * 30)  # aufile ends the call at the end of the file
    port = free_port(AGENT_IP)
    (cfg / "config").write_text(f"""poll_method\t\tepoll
sip_listen\t\t{AGENT_IP}:{port}
sip_trans_def\t\t{transport}
call_local_timeout\t120
call_max_calls\t\t4
audio_source\t\taufile,{wav}
audio_level\t\tno
module_path\t\t{BARESIP_MODULES}
module\t\t\tg711.so
module\t\t\taufile.so
module_app\t\taccount.so
""")
    aor = f"sip:alice@{DOMAIN}" + (";transport=tcp" if transport == "tcp" else "")
    outbound = f"sip:{registrar}" + (";transport=tcp" if transport == "tcp" else "")
    (cfg / "accounts").write_text(
        f'<{aor}>;auth_pass={SECRETS["alice"]};outbound="{outbound}";regint=600;answermode=auto\n')
    return cfg, port


def wait_for_output(p: Proc, pattern: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, p.out.read_text(errors="replace")):
            return
        if not p.alive():
            raise Failure(f"{p.name} exited ({p.popen.returncode}) before printing /{pattern}/")
        time.sleep(0.05)
    raise Failure(f"{p.name} did not print /{pattern}/ within {timeout:.0f} s")
