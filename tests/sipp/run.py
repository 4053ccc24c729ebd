#!/usr/bin/env python3
"""Real-peer SIP tests: sipp and baresip against a real `switchboard serve`.

Each test named on the command line runs alone, in its own temporary directory:

  1. writes a provisioning file (a trunk at 127.0.0.10, the org Acme with the domain
     acme.example, the number 0215880000, a 5 s ring timeout, the agents alice and bob
     with SIP secrets) and imports it with `switchboard admin --data-dir DIR import`;
  2. starts `switchboard serve --http 127.0.0.1:0 --sip 127.0.0.1:0` and reads both
     ports from its "listening on" lines (no SIP line is a failure, never a skip);
  3. starts the agents' phones: a sipp UAS in server mode per agent (agent_*.xml), each
     registered by a second, short-lived sipp (register.xml, digest auth) whose Contact
     is the UAS's address. A sipp scenario that starts by sending (REGISTER) cannot also
     take calls with new Call-IDs, hence two processes per phone;
  4. runs the customer's side, a sipp UAC bound to the trunk address (trunk_*.xml), and
     waits for every sipp with strict timeouts, checking exit codes (0 = every call
     went as the scenario says);
  5. checks the server's /metrics: sb_sip_calls and sb_sip_dialogs back to 0, and after
     the phones un-register (Expires: 0) sb_sip_registrations back to 0; then that the
     server is still running and exits 0 on SIGTERM;
  6. stops everything (SIGTERM, then SIGKILL, to each process group it started, also
     on failure, on SIGTERM/SIGINT and when the test overruns its --budget, which is
     below the ctest TIMEOUT) and, on failure, prints what failed with the sipp error
     and message logs (-trace_err, -trace_msg) and the server's stdout and stderr.

The tests are the t_* functions below (README.md has the table); the self-checks s_*.

`--selfcheck` runs the same scenario files against each other instead, with no server
(trunk UAC straight to the agent UAS; small mock scenarios in selfcheck/ play the
server where one is needed), so the XML is known to be good on its own.

    run.py --binary build/debug/switchboard call_caller_bye     # one test
    run.py --binary build/debug/switchboard --all               # every test
    run.py --selfcheck --all                                    # scenarios only
    run.py --list [--selfcheck]                                 # names, for CMake

Exit status: 0 when every named test passed, 1 otherwise, 2 on bad usage. `--keep`
keeps the temporary directory (it is always kept, and printed, on failure). ctest runs
one test per process (tests/sipp/CMakeLists.txt). Only 127.0.0.0/8 is used.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import wave
from pathlib import Path

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
SECRETS = {"alice": "alice-SIP-secret-4417", "bob": "bob-SIP-secret-9921"}
WRONG_SECRET = "not-the-secret-0000"

PROVISIONING = f"""
[[trunks]]
name = "sipp"
address = "{TRUNK_IP}"
outbound = "{TRUNK_IP}:{{outbound_port}}"

[[orgs]]
name = "Acme"
domain = "{DOMAIN}"
country_code = "82"
numbers = ["{NUMBER}"]
ring_timeout_s = {RING_TIMEOUT_S}
  [[orgs.menus]]
  digit = "1"
  name = "Orders"
  [[orgs.agents]]
  id = "alice"
  name = "Alice Kim"
  password = "Acme-alice-Login-1"
  sip_secret = "{SECRETS['alice']}"
  menus = ["1"]
  [[orgs.agents]]
  id = "bob"
  name = "Bob Lee"
  password = "Acme-bob-Login-22"
  sip_secret = "{SECRETS['bob']}"
  menus = ["1"]

[[orgs]]
name = "Globex"
domain = "globex.example"
country_code = "1"
numbers = ["8005550100"]
  [[orgs.agents]]
  id = "alice"
  name = "Alice Globex"
  sip_secret = "globex-alice-secret-77"
"""

SIPP = shutil.which("sipp") or "sipp"
BARESIP = shutil.which("baresip") or "baresip"
BARESIP_MODULES = "/usr/lib/baresip/modules"


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

    def received_requests(self, method: str) -> int:
        if not self.messages.exists():
            return 0
        text = self.messages.read_text(errors="replace")
        return len(re.findall(rf"message received \[\d+\] bytes :\s*\n\s*{method} sip", text))


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
        self.registered: list[tuple[str, str, int, str]] = []  # (agent, contact ip, port, transport)
        self.outbound_port = 0
        self.sinks: list[socket.socket] = []
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
        proc.signal(signal.SIGTERM)
        try:
            code = proc.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise Failure("the server did not stop within 10 s of SIGTERM")
        if code != 0:
            raise Failure(f"the server exited with {code} on SIGTERM")
        self.log("server stopped cleanly")

    def close(self) -> None:
        for p in reversed(self.procs):
            p.stop()
        for s in self.sinks:
            s.close()

    # --- the server -------------------------------------------------------------------

    def start_server(self) -> Server:
        binary = self.args.binary
        if not binary or not os.access(binary, os.X_OK):
            raise Failure(f"no switchboard binary at {binary!r} (--binary)")
        data = self.dir / "data"
        prov = self.dir / "provisioning.toml"
        self.outbound_port = free_port(TRUNK_IP)  # where the trunk takes our outbound calls
        prov.write_text(PROVISIONING.replace("{outbound_port}", str(self.outbound_port)))
        imp = subprocess.run([binary, "admin", "--data-dir", str(data), "import", str(prov)],
                             capture_output=True, text=True, timeout=60)
        if imp.returncode != 0:
            raise Failure(f"import failed ({imp.returncode}): {imp.stderr}{imp.stdout}")
        proc = Proc(self, "server", [binary, "serve", "--data-dir", str(data), "--http", "127.0.0.1:0",
                                     "--sip", "127.0.0.1:0", "--log-level", "debug"])
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
        self.log(f"server up: http {http}, sip {sip}")
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
                              f" (all sb_sip_*: { {k: v for k, v in seen.items() if k.startswith('sb_sip_')} })")
            time.sleep(0.1)

    def expect_idle(self) -> None:
        """No call and no dialog left: these gauges drop as soon as a call ends."""
        self.expect_gauges({"sb_sip_calls": 0, "sb_sip_dialogs": 0})
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
                 "-nostdin", "-cp", str(free_port("127.0.0.1")), "-d", str(pause_ms),
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
                 remember: bool = True) -> Sipp:
        """Registers sip:agent@acme.example with the Contact contact_ip:contact_port."""
        contact = f"sip:{agent}@{contact_ip}:{contact_port}"
        if transport != "UDP":
            contact += f";transport={transport.lower()}"
        p = self.sipp(name or f"register-{agent}-{expires}", scenario, contact_ip,
                      target=target or self.server.sip,  # type: ignore[union-attr]
                      keys={"user": agent, "domain": DOMAIN, "contact": contact, "expires": str(expires)},
                      extra=["-au", agent, "-ap", secret or SECRETS.get(agent, WRONG_SECRET),
                             "-auth_uri", DOMAIN, "-default_behaviors", "all,-bye"])
        self.expect_exit(p, 15, expect)
        if remember and expires > 0 and expect == 0:
            self.registered.append((agent, contact_ip, contact_port, transport))
        return p

    def unregister_all(self) -> None:
        for agent, ip, port, transport in self.registered:
            self.register(agent, ip, port, expires=0, transport=transport, name=f"unregister-{agent}-{port}",
                          remember=False)
        self.registered.clear()
        self.expect_gauges({"sb_sip_registrations": 0}, timeout=5)

    def phone(self, agent: str, scenario: str, *, calls: int = 1, ip: str = AGENT_IP,
              extra: list[str] | None = None, pause_ms: int = 200, register: bool = True,
              name: str | None = None) -> Sipp:
        """An agent's phone: a sipp UAS that takes calls, registered unless told not to."""
        p = self.sipp(name or f"phone-{agent}", scenario, ip, keys={"user": agent, "rtp_port": str(self.rtp_sink(ip))},
                      extra=["-aa"] + (extra or []), calls=calls, pause_ms=pause_ms)
        time.sleep(0.2)
        if not p.alive():
            raise Failure(f"{p.name} exited at once ({p.popen.returncode})")
        if register:
            self.register(agent, ip, p.port)  # type: ignore[attr-defined]
        return p

    def customer(self, scenario: str, *, number: str = NUMBER, ip: str = TRUNK_IP, target: str | None = None,
                 calls: int = 1, extra: list[str] | None = None, name: str = "customer",
                 pause_ms: int = 200) -> Sipp:
        return self.sipp(name, scenario, ip, target=target or self.server.sip,  # type: ignore[union-attr]
                         keys={"rtp_port": str(self.rtp_sink(ip))}, extra=["-s", number] + (extra or []),
                         calls=calls, pause_ms=pause_ms)

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
            elif p.name == "server":
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


# --- tests against the server ---------------------------------------------------------
# Each takes a Run and raises Failure. Timeouts are strict: a single call takes about
# 1-2 s, the no-answer test the 5 s ring timeout, the loss run about 10 s.

def t_register(r: Run) -> None:
    """REGISTER with the right secret: 200; the gauge counts it; Expires: 0 removes it."""
    r.start_server()
    r.register("alice", AGENT_IP, free_port(AGENT_IP))
    r.register("bob", OTHER_IP, free_port(OTHER_IP))
    r.expect_gauges({"sb_sip_registrations": 2})
    r.unregister_all()


def t_register_tcp(r: Run) -> None:
    """The same over TCP (the registrar shares the port between UDP and TCP), the
    connection kept open while registered; then un-registered on it."""
    r.start_server()
    port = free_port(AGENT_IP)
    p = r.sipp("register-alice-tcp", "register_stay.xml", AGENT_IP, target=r.server.sip, transport="t1",  # type: ignore
               keys={"user": "alice", "domain": DOMAIN, "contact": f"sip:alice@{AGENT_IP}:{port};transport=tcp",
                     "expires": "3600"}, pause_ms=3000,
               extra=["-au", "alice", "-ap", SECRETS["alice"], "-auth_uri", DOMAIN, "-default_behaviors", "all,-bye"])
    r.expect_gauges({"sb_sip_registrations": 1}, timeout=2.5)
    r.expect_exit(p, 15)
    r.expect_gauges({"sb_sip_registrations": 0}, timeout=3)


def t_register_wrong_secret(r: Run) -> None:
    """A wrong secret is refused (403 or 401 again), and a known user, an unknown user
    and an unknown domain get the same answers (no enumeration)."""
    r.start_server()
    cases = [("alice", DOMAIN, "alice"), ("mallory", DOMAIN, "mallory"), ("alice", "nowhere.example", "alice-nowhere"),
             ("alice", "globex.example", "alice-globex")]  # Globex's alice with Acme's alice's secret
    answers = {}
    for user, domain, label in cases:
        p = r.sipp(f"register-{label}", "register_wrong_secret.xml", AGENT_IP, target=r.server.sip,  # type: ignore
                   keys={"user": user, "domain": domain, "contact": f"sip:{user}@{AGENT_IP}:{free_port(AGENT_IP)}",
                         "expires": "3600"},
                   extra=["-au", user, "-ap", SECRETS["alice"] if label == "alice-globex" else WRONG_SECRET,
                          "-auth_uri", domain, "-default_behaviors", "all,-bye"])
        r.expect_exit(p, 15)
        answers[label] = p.received_responses()
    if len({tuple(a) for a in answers.values()}) != 1:
        raise Failure(f"different answers reveal which users exist: {answers}")
    r.log(f"answers: {answers}")
    r.expect_gauges({"sb_sip_registrations": 0})


def t_register_short_expiry(r: Run) -> None:
    """Expires: 30 is below Min-Expires: 423 with Min-Expires: 60."""
    r.start_server()
    r.register("alice", AGENT_IP, free_port(AGENT_IP), scenario="register_short_expiry.xml", expires=30,
               remember=False)
    r.expect_gauges({"sb_sip_registrations": 0})


def t_options(r: Run) -> None:
    """OPTIONS from the trunk and from a stranger: 200 with Allow, Accept, Supported."""
    r.start_server()
    for ip in (TRUNK_IP, OTHER_IP):
        p = r.sipp(f"options-{ip}", "options.xml", ip, target=r.server.sip,  # type: ignore[union-attr]
                   extra=["-default_behaviors", "all,-bye"])
        r.expect_exit(p, 15)
    r.expect_idle()


def call_test(r: Run, phone_scenario: str, customer_scenario: str, *, customer_timeout: float = 20,
              min_seconds: float = 0.0) -> None:
    r.start_server()
    phone = r.phone("alice", phone_scenario)
    customer = r.customer(customer_scenario)
    r.expect_exit(customer, customer_timeout)
    if customer.elapsed() < min_seconds:
        raise Failure(f"{customer.name} finished after {customer.elapsed():.1f} s, expected at least {min_seconds} s")
    r.expect_exit(phone, 15)
    r.expect_idle()
    r.unregister_all()


def t_call_caller_bye(r: Run) -> None:
    """Trunk INVITE → alice's phone answers → 200/ACK → the customer hangs up."""
    call_test(r, "agent_answer.xml", "trunk_call.xml")


def t_transactions_drain(r: Run) -> None:
    """After a registration, a call and its un-registration, every transaction ends too:
    sb_sip_transactions back to 0 within 40 s (UDP transactions linger 32 s, Timer J/K)."""
    call_test(r, "agent_answer.xml", "trunk_call.xml")
    r.expect_gauges({"sb_sip_transactions": 0, "sb_sip_dialogs": 0, "sb_sip_calls": 0}, timeout=40)


def t_call_agent_bye(r: Run) -> None:
    """Trunk INVITE → alice's phone answers → the agent hangs up; the BYE reaches the customer."""
    call_test(r, "agent_hangup.xml", "trunk_call_agent_bye.xml")


def t_cancel(r: Run) -> None:
    """The customer CANCELs while alice's phone rings: the phone gets CANCEL, the customer 487."""
    call_test(r, "agent_ring.xml", "trunk_cancel.xml")


def t_busy(r: Run) -> None:
    """alice's only phone answers 486: the customer gets 486 (or 480/600/603)."""
    call_test(r, "agent_busy.xml", "trunk_busy.xml")


def t_no_answer(r: Run) -> None:
    """Nobody answers within the ring timeout (5 s): the phone is CANCELled, the customer gets 480/408."""
    call_test(r, "agent_ring.xml", "trunk_noanswer.xml", min_seconds=RING_TIMEOUT_S - 0.5)


def t_hold(r: Run) -> None:
    """re-INVITE a=sendonly then a=sendrecv from the trunk, relayed to alice's phone and answered."""
    call_test(r, "agent_hold.xml", "trunk_hold.xml")


def t_fork(r: Run) -> None:
    """alice and bob are registered: both ring, alice answers, bob's phone is CANCELled."""
    r.start_server()
    alice = r.phone("alice", "agent_answer.xml")
    bob = r.phone("bob", "agent_ring.xml", ip=OTHER_IP)
    customer = r.customer("trunk_call.xml")
    r.expect_exit(customer, 20)
    r.expect_exit(alice, 15)
    r.expect_exit(bob, 15)
    r.expect_idle()
    r.unregister_all()


def t_unknown_number(r: Run) -> None:
    """A trunk call to a number no org has: 404, and no phone rings."""
    r.start_server()
    phone = r.phone("alice", "agent_ring.xml")
    customer = r.customer("trunk_unknown_number.xml", number=UNKNOWN_NUMBER)
    r.expect_exit(customer, 15)
    r.expect_no_invite(phone)
    r.expect_idle()
    r.unregister_all()


def t_unauthenticated_invite(r: Run) -> None:
    """An INVITE to the org's number from a non-trunk address: 401, then 403/401 for a wrong secret; nothing rings."""
    r.start_server()
    phone = r.phone("alice", "agent_ring.xml")
    stranger = r.customer("unauthenticated_invite.xml", ip=OTHER_IP, name="stranger",
                          extra=["-au", "alice", "-ap", WRONG_SECRET, "-default_behaviors", "all,-bye"])
    r.expect_exit(stranger, 15)
    r.expect_no_invite(phone)
    r.expect_idle()
    r.unregister_all()


def t_contact_star(r: Run) -> None:
    """Two contacts for alice (two phones), both counted; Contact: * with Expires: 0
    removes both at once."""
    r.start_server()
    r.register("alice", AGENT_IP, free_port(AGENT_IP), remember=False)
    r.register("alice", OTHER_IP, free_port(OTHER_IP), remember=False)
    r.expect_gauges({"sb_sip_registrations": 2})
    p = r.sipp("unregister-all-alice", "unregister_all.xml", AGENT_IP, target=r.server.sip,  # type: ignore
               keys={"user": "alice", "domain": DOMAIN, "contact": "*", "expires": "0"},
               extra=["-au", "alice", "-ap", SECRETS["alice"], "-auth_uri", DOMAIN, "-default_behaviors", "all,-bye"])
    r.expect_exit(p, 15)
    r.expect_gauges({"sb_sip_registrations": 0}, timeout=3)


def t_fork_one_agent(r: Run) -> None:
    """alice has two phones: both ring, the first answers, the other is CANCELled."""
    r.start_server()
    desk = r.phone("alice", "agent_answer.xml", name="phone-alice-desk")
    mobile = r.phone("alice", "agent_ring.xml", ip=OTHER_IP, name="phone-alice-mobile")
    r.expect_gauges({"sb_sip_registrations": 2}, timeout=3)
    customer = r.customer("trunk_call.xml")
    r.expect_exit(customer, 20)
    r.expect_exit(desk, 15)
    r.expect_exit(mobile, 15)
    r.expect_idle()
    r.unregister_all()


def refused(r: Run, method: str, ip: str, expected: set[int], *, user: str = "mallory",
            service: str = NUMBER) -> None:
    # sipp takes no keyword for a method: the template gets it written in.
    scenario = r.dir / f"request_refused_{method}.xml"
    scenario.write_text((SCENARIOS / "request_refused.xml").read_text().replace("[method]", method))
    p = r.sipp(f"{method.lower()}-from-{ip}", scenario, ip, target=r.server.sip,  # type: ignore
               keys={"user": user, "domain": DOMAIN},
               extra=["-s", service, "-default_behaviors", "all,-bye"])
    r.expect_exit(p, 15)
    got = p.received_responses()
    if not got or got[-1] not in expected:
        raise Failure(f"{method} from {ip} got {got}, expected one of {sorted(expected)}")
    r.log(f"{method} from {ip}: {got[-1]}")


def t_requests_refused(r: Run) -> None:
    """Who may call: MESSAGE, SUBSCRIBE, REFER, INFO without credentials from a stranger are
    challenged (401), never served; from the trunk, REGISTER is 403 and MESSAGE 405."""
    r.start_server()
    for method in ("MESSAGE", "SUBSCRIBE", "REFER", "PUBLISH"):
        refused(r, method, OTHER_IP, {401})
    refused(r, "REGISTER", TRUNK_IP, {403}, service="alice")
    refused(r, "MESSAGE", TRUNK_IP, {405})
    r.expect_idle()


def t_source_guard(r: Run) -> None:
    """A source sending more than 16 bad requests in 2 s is dropped silently: it gets no
    answer at all (not even to OPTIONS), other sources still do, and it is logged."""
    r.start_server()
    bad_ip = "127.0.0.3"
    flood = r.sipp("flood", "register_wrong_secret.xml", bad_ip, target=r.server.sip,  # type: ignore
                   keys={"user": "alice", "domain": DOMAIN, "contact": f"sip:alice@{bad_ip}:5060", "expires": "3600"},
                   extra=["-au", "alice", "-ap", WRONG_SECRET, "-auth_uri", DOMAIN, "-default_behaviors", "all,-bye",
                          "-r", "50", "-recv_timeout", "2000", "-max_non_invite_retrans", "1"], calls=20)
    flood.wait(30)  # some of its attempts go unanswered once the source is dropped
    r.expect_gauges({"sb_sip_blocked_sources": 1}, timeout=3)
    probe = r.sipp("options-blocked", "options.xml", bad_ip, target=r.server.sip,  # type: ignore
                   extra=["-default_behaviors", "all,-bye", "-recv_timeout", "2000", "-max_non_invite_retrans", "1"])
    probe.wait(15)
    if probe.received_anything():
        raise Failure(f"the blocked source {bad_ip} still got an answer: {probe.received_responses()}")
    ok = r.sipp("options-other", "options.xml", OTHER_IP, target=r.server.sip,  # type: ignore
                extra=["-default_behaviors", "all,-bye"])
    r.expect_exit(ok, 15)
    log = r.server.proc.err.read_text(errors="replace")  # type: ignore[union-attr]
    lines = [line for line in log.splitlines() if "sip_source_blocked" in line]
    if len(lines) != 1 or f"ip={bad_ip}" not in lines[0]:
        raise Failure(f"expected one security line for {bad_ip}, found {lines}")


def t_agent_call_out(r: Run) -> None:
    """alice's phone calls a customer: challenged (401), then with credentials the call goes
    out through the trunk (a sipp UAS at the trunk's outbound address) and is answered."""
    r.start_server()
    carrier = r.sipp("carrier", "agent_answer.xml", TRUNK_IP, port=r.outbound_port,
                     keys={"user": "carrier", "rtp_port": str(r.rtp_sink(TRUNK_IP))}, extra=["-aa"])
    time.sleep(0.2)
    phone = r.sipp("phone-alice-out", "agent_call_out.xml", AGENT_IP, target=r.server.sip,  # type: ignore
                   keys={"user": "alice", "domain": DOMAIN, "rtp_port": str(r.rtp_sink(AGENT_IP))},
                   extra=["-s", CUSTOMER_NUMBER, "-au", "alice", "-ap", SECRETS["alice"],
                          "-auth_uri", f"{CUSTOMER_NUMBER}@{DOMAIN}"])
    r.expect_exit(phone, 20)
    r.expect_exit(carrier, 15)
    if carrier.received_requests("INVITE") != 1:
        raise Failure(f"the trunk got {carrier.received_requests('INVITE')} INVITEs, expected 1")
    r.expect_idle()


LOSS_CALLS = 10
LINGER_MS = 10000


def t_udp_loss(r: Run) -> None:
    """10 calls with 10 % of the UDP packets lost at both ends: retransmissions recover every one."""
    r.start_server()
    # The phone's calls linger 10 s after the 200 for the BYE so that the BYE's
    # retransmissions (0.5, 1, 2, 4, 4 s apart) are answered again when that 200 is lost.
    phone = r.phone("alice", "agent_answer.xml", calls=LOSS_CALLS, extra=["-lost", "10"], pause_ms=LINGER_MS)
    customer = r.customer("trunk_call.xml", calls=LOSS_CALLS,
                          extra=["-lost", "10", "-r", "5", "-l", "5"])
    r.expect_exit(customer, 60)
    r.expect_exit(phone, LINGER_MS / 1000 + 20)
    r.expect_idle()
    r.unregister_all()


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
        w.writeframes(b"\0\0" * 8000)
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


def baresip_test(r: Run, transport: str) -> None:
    r.start_server()
    cfg, port = write_baresip_config(r, transport, r.server.sip)  # type: ignore[union-attr]
    phone = Proc(r, f"baresip-{transport}", [BARESIP, "-f", str(cfg)])
    proto = transport.upper()
    wait_for_output(phone, rf"alice@{re.escape(DOMAIN)}: \{{0/{proto}/v4\}} 200 OK", 10)
    r.expect_gauges({"sb_sip_registrations": 1}, timeout=3)
    customer = r.customer("trunk_call.xml")
    r.expect_exit(customer, 20)
    wait_for_output(phone, r"Call established", 2)
    r.expect_idle()
    phone.signal(signal.SIGTERM)  # baresip un-registers on the way out
    code = phone.wait(10)
    r.log(f"baresip exited with {code}")
    r.expect_gauges({"sb_sip_registrations": 0}, timeout=5)


def t_baresip_udp(r: Run) -> None:
    """baresip registers alice over UDP and auto-answers a trunk call; the customer hangs up."""
    baresip_test(r, "udp")


def t_baresip_tcp(r: Run) -> None:
    """The same with the account on TCP (;transport=tcp): REGISTER and INVITE over TCP."""
    baresip_test(r, "tcp")


# --- self-checks: the scenarios against each other, no server ---------------------------

def mock_registrar(r: Run, scenario: str = "mock:registrar.xml", agent: str = "alice", calls: int = 1,
                   transport: str = "u1", first: str = "MD5", second: str = "SHA-256") -> Sipp:
    """A registrar like the server's: MD5 then SHA-256 (sipp 3.6 answers the first
    challenge and knows only MD5; baresip 1.0 fails on any SHA-256 challenge, so the
    server offers it MD5 alone, which two MD5 challenges stand in for here)."""
    p = r.sipp("registrar", scenario, "127.0.0.1", calls=calls, transport=transport,
               keys={"user": agent, "secret": SECRETS[agent], "expires": "3600", "alg1": first, "alg2": second})
    time.sleep(0.2)
    return p


def s_register(r: Run) -> None:
    reg = mock_registrar(r, calls=2)
    target = f"127.0.0.1:{reg.port}"  # type: ignore[attr-defined]
    r.register("alice", AGENT_IP, free_port(AGENT_IP), target=target, remember=False)
    r.register("alice", AGENT_IP, free_port(AGENT_IP), target=target, expires=0, remember=False)
    r.expect_exit(reg, 5)


def s_register_wrong_secret(r: Run) -> None:
    reg = mock_registrar(r)
    r.register("alice", AGENT_IP, free_port(AGENT_IP), scenario="register_wrong_secret.xml", secret=WRONG_SECRET,
               target=f"127.0.0.1:{reg.port}")  # type: ignore[attr-defined]
    r.expect_exit(reg, 5)


def s_register_short_expiry(r: Run) -> None:
    reg = r.sipp("registrar", "mock:registrar_423.xml", "127.0.0.1")
    time.sleep(0.2)
    r.register("alice", AGENT_IP, free_port(AGENT_IP), scenario="register_short_expiry.xml", expires=30,
               target=f"127.0.0.1:{reg.port}", remember=False)  # type: ignore[attr-defined]
    r.expect_exit(reg, 5)


def s_options(r: Run) -> None:
    srv = r.sipp("server", "mock:options.xml", "127.0.0.1")
    time.sleep(0.2)
    p = r.sipp("options", "options.xml", TRUNK_IP, target=f"127.0.0.1:{srv.port}",  # type: ignore[attr-defined]
               extra=["-default_behaviors", "all,-bye"])
    r.expect_exit(p, 10)
    r.expect_exit(srv, 5)


def pair(r: Run, uas: str, uac: str, *, uas_ip: str = AGENT_IP, uac_ip: str = TRUNK_IP, calls: int = 1,
         uas_extra: list[str] | None = None, uac_extra: list[str] | None = None, pause_ms: int = 200,
         min_seconds: float = 0.0, timeout: float = 20) -> None:
    """A UAC scenario straight against a UAS scenario (the UAS plays the server or the phone)."""
    if uas.startswith("mock:"):
        phone = r.sipp("server", uas, uas_ip, calls=calls, extra=uas_extra,
                       keys={"user": "alice", "secret": SECRETS["alice"]})
    else:
        phone = r.phone("alice", uas, ip=uas_ip, calls=calls, extra=uas_extra, pause_ms=pause_ms, register=False)
    time.sleep(0.2)
    customer = r.customer(uac, target=f"{uas_ip}:{phone.port}", ip=uac_ip, calls=calls,  # type: ignore
                          extra=uac_extra, pause_ms=pause_ms)
    r.expect_exit(customer, timeout)
    if customer.elapsed() < min_seconds:
        raise Failure(f"customer took {customer.elapsed():.1f} s, expected at least {min_seconds} s")
    r.expect_exit(phone, pause_ms / 1000 + 20)


def s_call_caller_bye(r: Run) -> None:
    pair(r, "agent_answer.xml", "trunk_call.xml")


def s_call_agent_bye(r: Run) -> None:
    pair(r, "agent_hangup.xml", "trunk_call_agent_bye.xml")


def s_cancel(r: Run) -> None:
    pair(r, "agent_ring.xml", "trunk_cancel.xml")


def s_busy(r: Run) -> None:
    pair(r, "agent_busy.xml", "trunk_busy.xml")


def s_no_answer(r: Run) -> None:
    pair(r, "mock:noanswer.xml", "trunk_noanswer.xml", min_seconds=RING_TIMEOUT_S - 0.5)


def s_hold(r: Run) -> None:
    pair(r, "agent_hold.xml", "trunk_hold.xml")


def s_unknown_number(r: Run) -> None:
    pair(r, "mock:unknown_number.xml", "trunk_unknown_number.xml")


def s_unauthenticated_invite(r: Run) -> None:
    pair(r, "mock:challenge.xml", "unauthenticated_invite.xml", uac_ip=OTHER_IP,
         uac_extra=["-au", "alice", "-ap", WRONG_SECRET, "-default_behaviors", "all,-bye"])


def s_agent_call_out(r: Run) -> None:
    srv = r.sipp("server", "mock:challenge_then_answer.xml", AGENT_IP,
                 keys={"user": "alice", "secret": SECRETS["alice"], "rtp_port": str(r.rtp_sink(AGENT_IP))})
    time.sleep(0.2)
    phone = r.sipp("phone-alice-out", "agent_call_out.xml", OTHER_IP, target=f"{AGENT_IP}:{srv.port}",  # type: ignore
                   keys={"user": "alice", "domain": DOMAIN, "rtp_port": str(r.rtp_sink(OTHER_IP))},
                   extra=["-s", CUSTOMER_NUMBER, "-au", "alice", "-ap", SECRETS["alice"],
                          "-auth_uri", f"{CUSTOMER_NUMBER}@{DOMAIN}"])
    r.expect_exit(phone, 20)
    r.expect_exit(srv, 10)


def s_udp_loss(r: Run) -> None:
    # Without the server in between the phone gets the BYE retransmissions from sipp,
    # which (under -lost) sometimes leaves 7.5 s between two copies: linger longer.
    pair(r, "agent_answer.xml", "trunk_call.xml", calls=LOSS_CALLS, uas_extra=["-lost", "10"],
         uac_extra=["-lost", "10", "-r", "5", "-l", "5"], pause_ms=2 * LINGER_MS, timeout=60)


def baresip_selfcheck(r: Run, transport: str) -> None:
    reg = mock_registrar(r, transport="t1" if transport == "tcp" else "u1", second="MD5")
    cfg, port = write_baresip_config(r, transport, f"127.0.0.1:{reg.port}")  # type: ignore[attr-defined]
    phone = Proc(r, f"baresip-{transport}", [BARESIP, "-f", str(cfg)])
    wait_for_output(phone, rf"alice@{re.escape(DOMAIN)}: \{{0/{transport.upper()}/v4\}} 200 OK", 10)
    r.expect_exit(reg, 5)
    customer = r.customer("trunk_call.xml", target=f"{AGENT_IP}:{port}", number="alice",
                          extra=["-t", "t1"] if transport == "tcp" else [])
    r.expect_exit(customer, 20)
    wait_for_output(phone, r"Call established", 2)
    phone.stop(grace=1)  # its un-REGISTER has no registrar to answer it here


def s_baresip_udp(r: Run) -> None:
    baresip_selfcheck(r, "udp")


def s_baresip_tcp(r: Run) -> None:
    baresip_selfcheck(r, "tcp")


MANUAL_SELFCHECKS = {"udp_loss"}
TESTS = {name[2:]: fn for name, fn in globals().items() if name.startswith("t_")}
SELFCHECKS = {name[2:]: fn for name, fn in globals().items() if name.startswith("s_")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tests", nargs="*")
    ap.add_argument("--binary", help="the switchboard binary")
    ap.add_argument("--selfcheck", action="store_true", help="scenarios against each other, no server")
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--linger", action="store_true", help="also wait for sb_sip_transactions to reach 0")
    ap.add_argument("--budget", type=int, default=80,
                    help="seconds one test may take in all (below the ctest TIMEOUT, so that the runner "
                         "itself stops its processes)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    def on_alarm(signum, frame):  # noqa: ARG001
        raise Failure(f"the test took longer than its budget of {args.budget} s")

    def on_term(signum, frame):  # noqa: ARG001
        raise Failure(f"stopped by signal {signum}")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    table = SELFCHECKS if args.selfcheck else TESTS
    if args.list:
        # sipp against sipp under -lost is slow (20 s lingers) and at the mercy of sipp's
        # own loss emulation; the server's udp_loss test runs the same files. By hand only.
        print(";".join(n for n in table if not (args.selfcheck and n in MANUAL_SELFCHECKS)))
        return 0
    names = list(table) if args.all else args.tests
    unknown = [n for n in names if n not in table]
    if unknown or not names:
        print(f"unknown or no tests {unknown}; known: {', '.join(table)}", file=sys.stderr)
        return 2
    for tool in (SIPP,) + ((BARESIP,) if any("baresip" in n for n in names) else ()):
        if not shutil.which(tool):
            print(f"FAIL: {tool} is not installed (scripts/setup installs sip-tester and baresip-core)")
            return 1
    failed = []
    for name in names:
        r = Run(name, args)
        started = time.monotonic()
        signal.alarm(args.budget)  # SIGALRM raises Failure wherever the test is
        try:
            table[name](r)
            r.finish()
            ok, why = True, ""
        except Failure as e:
            ok, why = False, str(e)
        except Exception as e:  # a bug in the runner or an unexpected environment error
            ok, why = False, f"{type(e).__name__}: {e}"
        finally:
            signal.alarm(0)
            r.close()
        took = time.monotonic() - started
        if ok:
            print(f"PASS {name} ({took:.1f} s)", flush=True)
            if not args.keep:
                shutil.rmtree(r.dir, ignore_errors=True)
        else:
            failed.append(name)
            print(f"FAIL {name} ({took:.1f} s): {why}\n{r.report()}\nFAIL {name}: {why}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
