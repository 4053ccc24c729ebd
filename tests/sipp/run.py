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
     take calls with new Call-IDs, hence two processes per phone; logs the agents in and
     makes them Ready over HTTP as the test needs (customer calls go through the contact
     center: the server answers at once, plays short test prompts, rings one agent);
  4. runs the customer's side, a sipp UAC bound to the trunk address (trunk_*.xml), and
     waits for every sipp with strict timeouts, checking exit codes (0 = every call
     went as the scenario says);
  5. checks the `calls`/`call_offers`/`callbacks` rows and agents' states the test
     expects, the server's /metrics: sb_sip_calls, sb_sip_dialogs, sb_acd_*, sb_media_legs,
     sb_media_calls and sb_media_ports_in_use back to 0, and after the phones un-register
     (Expires: 0) sb_sip_registrations back to 0; then that the server is still running,
     has no media leg, call or port left, and exits 0 on SIGTERM;
  6. stops everything (SIGTERM, then SIGKILL, to each process group it started, also
     on failure, on SIGTERM/SIGINT and when the test overruns its --budget, which is
     below the ctest TIMEOUT) and, on failure, prints what failed with the sipp error
     and message logs (-trace_err, -trace_msg) and the server's stdout and stderr.

The tests are the t_* functions below (README.md has the table), the self-checks s_*;
harness.py has the processes, the server, sipp and baresip they are made of, rtp_tool.py
the media side (G.711 tone files for sipp's rtp_stream, a recording RTP peer, Goertzel,
WAV headers). The media tests write their tone files into the test's directory, where
sipp runs: sipp 3.6 does not expand [keywords] in <exec rtp_stream=...>.

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
import re
import shutil
import signal
import struct
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from pathlib import Path  # noqa: E402

import rtp_tool  # noqa: E402
from harness import (  # noqa: E402
    AGENT_IP, BARESIP, CUSTOMER_NUMBER, DOMAIN, GLOBEX, GLOBEX_NUMBER, NUMBER, OTHER_IP, PROMPT_TONES,
    RING_TIMEOUT_S, SCENARIOS, SECRETS, SIPP,
    TRUNK_IP, UNKNOWN_NUMBER, WRONG_SECRET, Failure, Proc, Run, Sipp, free_port, wait_for_output,
    extra_agent, write_baresip_config)


# --- tests against the server ---------------------------------------------------------
# Each takes a Run and raises Failure. Timeouts are strict: a single call takes about
# 3-4 s, the ring-timeout tests the 5 s ring timeout, the loss run about 25 s.

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


# --- customer calls through the contact center ------------------------------------------
# The server answers the trunk at once (200, its own SDP, no 180), plays the short test
# prompts (0.3 s each), queues the call in Acme's only menu ("Orders") and rings the
# longest-idle Ready agent's registered phones. A customer that hangs up itself stays
# TALK_MS on the line (trunk_call.xml's -d): the welcome and the ring (~0.6 s) and then
# the talk; that the agent was connected before the BYE is checked (the phone must get
# the BYE, not a CANCEL; the record says answered).

TALK_MS = 3000
CALLER = "01099990000"  # the customer's number in the trunk scenarios' From


def no_ringing(customer: Sipp) -> None:
    """The server answered the customer at once: a 200 first, no 180/183 before it."""
    got = customer.received_responses()
    if not got or got[0] != 200:
        raise Failure(f"{customer.name} got {got}: expected a 200 at once (no 180/183), the server answers itself")


def received_blocks(p: Sipp, method: str) -> list[str]:
    """The text of every request of method p received (its -trace_msg log)."""
    text = p.messages.read_text(errors="replace") if p.messages.exists() else ""
    return [b for b in text.split("message received")[1:]
            if re.match(rf"\s*\[\d+\] bytes :\s*\n\s*{method} sip", b)]


def check_offer(phone: Sipp, *, caller: str = CALLER, menu: str = "Orders") -> None:
    """Each INVITE the phone got is the contact center's offer: From "<menu>" <sip:caller@…>,
    Alert-Info: <urn:alert:source:external>;info=contact-center, an SDP offer."""
    invites = received_blocks(phone, "INVITE")
    if not invites:
        raise Failure(f"{phone.name} got no INVITE")
    for inv in invites:
        frm = re.search(r"^\s*(?:From|f):\s*(.*)$", inv, re.M | re.I)
        alert = re.search(r"^\s*Alert-Info:\s*(.*)$", inv, re.M | re.I)
        if not frm or not re.match(rf'"{re.escape(menu)}"\s*<sips?:{re.escape(caller)}@', frm.group(1).strip()):
            raise Failure(f"{phone.name}'s INVITE From is {frm.group(1) if frm else None!r}, expected"
                          f' "{menu}" <sip:{caller}@…>')
        if not alert or alert.group(1).strip() != "<urn:alert:source:external>;info=contact-center":
            raise Failure(f"{phone.name}'s INVITE Alert-Info is {alert.group(1) if alert else None!r}")
        if "m=audio" not in inv:
            raise Failure(f"{phone.name}'s INVITE has no SDP offer")


def call_test(r: Run, phone_scenario: str, customer_scenario: str, *, customer_timeout: float = 20,
              ended_by: str = "customer", transport: str = "u1", pause_ms: int = TALK_MS) -> dict:
    """alice (Ready) answers a customer call on her phone; the record says so."""
    r.start_server()
    phone = r.phone("alice", phone_scenario)
    r.login("alice", ready=True)
    customer = r.customer(customer_scenario, pause_ms=pause_ms, transport=transport)
    r.expect_exit(customer, customer_timeout)
    r.expect_exit(phone, 15)
    no_ringing(customer)
    check_offer(phone)
    r.expect_idle()
    [row] = r.wait_calls(1)
    r.expect_call(row, result="answered", ended_by=ended_by, agent="alice", caller=CALLER, called=NUMBER,
                  domain=DOMAIN, menu_digit="1")
    r.wait_state("alice", "acw")  # the org's after_call
    r.unregister_all()
    return row


def t_call_caller_bye(r: Run) -> None:
    """Trunk INVITE → 200 at once → alice's phone rings (From the caller, display name the
    menu, Alert-Info) and answers → the customer hangs up; the BYE reaches the phone;
    record answered, ended_by customer, alice in acw."""
    call_test(r, "agent_answer.xml", "trunk_call.xml")


def t_transactions_drain(r: Run) -> None:
    """After a registration, a call and its un-registration, every transaction ends too:
    sb_sip_transactions back to 0 within 40 s (UDP transactions linger 32 s, Timer J/K)."""
    call_test(r, "agent_answer.xml", "trunk_call.xml")
    r.expect_gauges({"sb_sip_transactions": 0, "sb_sip_dialogs": 0, "sb_sip_calls": 0}, timeout=40)


def t_call_trunk_tcp(r: Run) -> None:
    """The trunk calls over TCP (alice's phone is on UDP); the customer hangs up."""
    call_test(r, "agent_answer.xml", "trunk_call.xml", transport="t1")


def t_late_200(r: Run) -> None:
    """The phone's 200 for the INVITE comes again after the server sent its BYE (a
    retransmission that crossed it, as under UDP loss): the server ACKs it again and
    sends no second BYE."""
    call_test(r, "agent_late_200.xml", "trunk_call.xml")


def t_call_agent_bye(r: Run) -> None:
    """alice's phone answers, then hangs up; the BYE reaches the customer; ended_by agent."""
    call_test(r, "agent_hangup.xml", "trunk_call_agent_bye.xml", ended_by="agent", pause_ms=200)


def t_cancel(r: Run) -> None:
    """The customer hangs up (BYE) while alice's phone rings: the phone gets CANCEL (200,
    487, ACK), the record says unconnected (ended_by customer), alice is Ready again."""
    r.start_server()
    phone = r.phone("alice", "agent_ring.xml")
    r.login("alice", ready=True)
    customer = r.customer("trunk_call.xml", pause_ms=2000)
    r.expect_exit(customer, 20)
    r.expect_exit(phone, 15)
    no_ringing(customer)
    check_offer(phone)
    r.expect_idle()
    [row] = r.wait_calls(1)
    r.expect_call(row, result="unconnected", ended_by="customer", agent=None)
    if r.offers(row["id"]) != ["alice"]:
        raise Failure(f"call_offers {r.offers(row['id'])}, expected ['alice']")
    r.wait_state("alice", "ready")
    r.unregister_all()


def next_agent_test(r: Run, first_scenario: str, *, min_ring_s: float = 0.0) -> None:
    """alice (Ready first) does not take the call; bob (Ready later) answers and hangs up."""
    r.start_server()
    alice = r.phone("alice", first_scenario)
    bob = r.phone("bob", "agent_hangup.xml", ip=OTHER_IP)
    r.login("alice", ready=True)
    r.login("bob", ready=True)
    customer = r.customer("trunk_call_agent_bye.xml", pause_ms=200)
    r.expect_exit(customer, 25)
    r.expect_exit(alice, 15)
    r.expect_exit(bob, 15)
    no_ringing(customer)
    check_offer(alice)
    check_offer(bob)
    if min_ring_s:
        invite, cancel = alice.times("received", "INVITE "), alice.times("received", "CANCEL ")
        if not invite or not cancel or not min_ring_s - 0.5 <= cancel[0] - invite[0] <= min_ring_s + 1.5:
            raise Failure(f"alice's phone: INVITE at {invite}, CANCEL at {cancel}: expected the CANCEL"
                          f" {min_ring_s} s after the INVITE")
        r.log(f"alice's phone rang {cancel[0] - invite[0]:.2f} s")
    r.expect_idle()
    [row] = r.wait_calls(1)
    r.expect_call(row, result="answered", ended_by="agent", agent="bob")
    if r.offers(row["id"]) != ["alice", "bob"]:
        raise Failure(f"call_offers {r.offers(row['id'])}, expected ['alice', 'bob']")
    r.wait_state("alice", "break")
    r.wait_state("bob", "acw")
    r.unregister_all()


def t_busy(r: Run) -> None:
    """alice's phone (Ready longest) answers 486: alice goes on Break, bob's phone rings and
    answers; the customer, answered at once, never sees the 486; offers alice, bob."""
    next_agent_test(r, "agent_busy.xml")


def t_ring_timeout_next(r: Run) -> None:
    """alice's phone rings and is never answered: after ring_timeout_s (5) it gets CANCEL,
    alice is on Break, bob's phone rings and answers; call_offers alice then bob."""
    next_agent_test(r, "agent_ring.xml", min_ring_s=RING_TIMEOUT_S)


def t_no_answer(r: Run) -> None:
    """alice alone, her phone never answers: CANCEL after the ring timeout (5 s), alice on
    Break, the customer keeps waiting (hold sound) until they hang up at 8 s: unconnected."""
    r.start_server()
    phone = r.phone("alice", "agent_ring.xml")
    r.login("alice", ready=True)
    customer = r.customer("trunk_call.xml", pause_ms=8000)
    r.expect_exit(customer, 25)
    r.expect_exit(phone, 15)
    no_ringing(customer)
    invite, cancel = phone.times("received", "INVITE "), phone.times("received", "CANCEL ")
    if not invite or not cancel or not RING_TIMEOUT_S - 0.5 <= cancel[0] - invite[0] <= RING_TIMEOUT_S + 1.5:
        raise Failure(f"the phone: INVITE at {invite}, CANCEL at {cancel}: expected the CANCEL after ~5 s")
    if customer.received_requests("BYE"):
        raise Failure("the server hung up on the waiting customer")
    r.expect_idle()
    [row] = r.wait_calls(1)
    r.expect_call(row, result="unconnected", ended_by="customer", agent=None)
    r.wait_state("alice", "break")
    r.unregister_all()


def sdp_answers(p: Sipp) -> list[tuple[str, str, str, str]]:
    """(c= address, m=audio port, direction, payload types) of every 200 with an SDP that
    p received."""
    text = p.messages.read_text(errors="replace") if p.messages.exists() else ""
    out = []
    for block in text.split("message received")[1:]:
        if not re.match(r"\s*\[\d+\] bytes :\s*\n\s*SIP/2\.0 200", block) or "m=audio" not in block:
            continue
        c = re.search(r"c=IN IP4 (\S+)", block)
        m = re.search(r"m=audio (\d+) RTP/AVP ([\d ]+)", block)
        d = re.search(r"a=(sendrecv|sendonly|recvonly|inactive)", block)
        out.append((c.group(1) if c else "?", m.group(1) if m else "?", d.group(1) if d else "sendrecv",
                    m.group(2).strip() if m else "?"))
    return out


def t_hold(r: Run) -> None:
    """Connected to alice, the customer re-INVITEs a=sendonly then a=sendrecv: the server
    answers both itself (200, its own address and port, recvonly then sendrecv); the phone
    gets no re-INVITE."""
    call_test(r, "agent_answer.xml", "trunk_hold.xml")
    customer = next(p for p in r.procs if p.name == "customer")
    phone = next(p for p in r.procs if p.name == "phone-alice")
    if phone.received_requests("INVITE") != 1:  # type: ignore[attr-defined]
        raise Failure(f"the phone got {phone.received_requests('INVITE')} INVITEs, expected 1 (no re-INVITE)")  # type: ignore
    answers = sdp_answers(customer)  # type: ignore[arg-type]
    r.log(f"customer's SDP answers: {answers}")
    if len(answers) != 3:
        raise Failure(f"the customer got {len(answers)} 200s with SDP, expected 3: {answers}")
    (addr, port, first, _), held, resumed = answers
    if first != "sendrecv" or held[2] not in ("recvonly", "inactive") or resumed[2] != "sendrecv":
        raise Failure(f"directions {first}, {held[2]}, {resumed[2]}: expected sendrecv, recvonly (or inactive), sendrecv")
    if any(a[:2] != (addr, port) for a in answers) or addr != "127.0.0.1" or port in ("0", "?"):
        raise Failure(f"the answers to the re-INVITEs must keep the server's address and port: {answers}")
    for a in answers:  # an audio codec of the offer (0 8 101), in the trunk's numbers
        pts = a[3].split()
        if not pts or not set(pts) <= {"0", "8", "101"} or not set(pts) & {"0", "8"}:
            raise Failure(f"an SDP answer's m=audio formats {a[3]!r} are not a codec the customer offered")


def t_fork(r: Run) -> None:
    """alice has two phones; her desk refuses (486), her mobile answers: a refusing branch
    does not end the offer, the call connects on the mobile, alice stays the agent."""
    r.start_server()
    desk = r.phone("alice", "agent_busy.xml", name="phone-alice-desk")
    mobile = r.phone("alice", "agent_answer.xml", ip=OTHER_IP, name="phone-alice-mobile")
    r.expect_gauges({"sb_sip_registrations": 2}, timeout=3)
    r.login("alice", ready=True)
    customer = r.customer("trunk_call.xml", pause_ms=TALK_MS)
    r.expect_exit(customer, 20)
    r.expect_exit(desk, 15)
    r.expect_exit(mobile, 15)
    check_offer(desk)
    check_offer(mobile)
    r.expect_idle()
    [row] = r.wait_calls(1)
    r.expect_call(row, result="answered", ended_by="customer", agent="alice")
    r.unregister_all()


def t_fork_one_agent(r: Run) -> None:
    """alice has two phones: both ring, the first answers, the other is CANCELled."""
    r.start_server()
    desk = r.phone("alice", "agent_answer.xml", name="phone-alice-desk")
    mobile = r.phone("alice", "agent_ring.xml", ip=OTHER_IP, name="phone-alice-mobile")
    r.expect_gauges({"sb_sip_registrations": 2}, timeout=3)
    r.login("alice", ready=True)
    customer = r.customer("trunk_call.xml", pause_ms=TALK_MS)
    r.expect_exit(customer, 20)
    r.expect_exit(desk, 15)
    r.expect_exit(mobile, 15)
    check_offer(desk)
    check_offer(mobile)
    r.expect_idle()
    [row] = r.wait_calls(1)
    r.expect_call(row, result="answered", agent="alice")
    r.unregister_all()


# --- the contact center end to end: routing, queue, callbacks, orgs, restart ------------

def keys_scenario(r: Run, keys: str, name: str) -> Path:
    """trunk_keys.xml with the key presses written in, 0.8 s apart (sipp 3.6 expands no
    [keyword] in play_pcap_audio): captures made from sipp's RFC 4733 ones with rising
    sequence numbers and timestamps (rtp_tool.write_dtmf_pcaps)."""
    steps = [f'<nop>\n    <action>\n      <exec play_pcap_audio="{pcap}"/>\n    </action>\n  </nop>'
             for pcap in rtp_tool.write_dtmf_pcaps(r.dir, keys, name)]
    # No pause after the last key: the server's BYE may come at once, and sipp takes a
    # request arriving during a pause for an unexpected one.
    out = r.dir / f"{name}.xml"
    out.write_text((SCENARIOS / "trunk_keys.xml").read_text().replace(
        "<!-- KEYS -->", '\n  <pause milliseconds="800"/>\n  '.join(steps)))
    return out


def heard(r: Run, peer: "rtp_tool.RtpPeer", expected: list[str]) -> None:
    """The prompts (by their tones, harness.PROMPT_TONES) the customer's RtpPeer heard
    include expected, in this order."""
    tones = {f: n for n, f in PROMPT_TONES.items()}
    got = [tones[f] for f in rtp_tool.tone_sequence(peer.audio(), list(tones))]
    it = iter(got)
    if not all(any(g == e for g in it) for e in expected):
        raise Failure(f"the customer heard the prompts {got}, expected {expected} in this order")
    r.log(f"the customer heard {got}")


def check_recording_file(r: Run, row: dict) -> None:
    """The call's recording (the row's `recording`) exists: a stereo 8 kHz WAV with audio."""
    path = Path(row["recording"] or "")
    if not row["recording"] or not path.exists() or path not in r.recordings():
        raise Failure(f"call {row['id']}: recording {row['recording']!r} is not one of {r.recordings()}")
    header = rtp_tool.wav_header(path)
    if (header.channels, header.rate, header.bits) != (2, 8000, 16) or header.problems() or header.data_size < 4 * 800:
        raise Failure(f"{path.name}: {header} {header.problems()}: expected a stereo 8 kHz recording of >= 0.1 s")


def t_longest_idle(r: Run) -> None:
    """alice and bob Ready, alice since earlier: alice's phone rings, bob's does not;
    answered by alice, recorded (stereo WAV). alice goes to acw; Ready again, she has been
    idle less than bob: the next call rings bob only."""
    r.start_server()
    alice = r.phone("alice", "agent_answer.xml")
    bob = r.phone("bob", "agent_answer.xml", ip=OTHER_IP)
    r.login("alice", ready=True)
    r.login("bob", ready=True)
    r.expect_gauges({"sb_agents_logged_in": 2}, timeout=3)
    first = r.customer("trunk_call.xml", pause_ms=TALK_MS, name="customer-1")
    r.expect_exit(first, 20)
    r.expect_exit(alice, 15)
    [row] = r.wait_calls(1)
    r.expect_call(row, result="answered", agent="alice", ended_by="customer")
    if bob.received_requests("INVITE"):
        raise Failure("bob's phone rang for the first call; alice had been Ready longer")
    check_recording_file(r, row)
    r.wait_state("alice", "acw")
    r.set_state("alice", "ready")
    second = r.customer("trunk_call.xml", pause_ms=TALK_MS, name="customer-2")
    r.expect_exit(second, 20)
    r.expect_exit(bob, 15)
    rows = r.wait_calls(2)
    r.expect_call(rows[1], result="answered", agent="bob")
    if r.offers(rows[0]["id"]) != ["alice"] or r.offers(rows[1]["id"]) != ["bob"]:
        raise Failure(f"call_offers {r.offers(rows[0]['id'])}, {r.offers(rows[1]['id'])}: expected [alice], [bob]")
    check_recording_file(r, rows[1])
    check_history(r, rows)
    r.expect_idle()
    r.unregister_all()


def check_history(r: Run, rows: list[dict]) -> None:
    """The history API (I1-I3) serves the two answered calls of t_longest_idle as stored."""
    alice, bob = r.tokens[(DOMAIN, "alice")], r.tokens[(DOMAIN, "bob")]
    status, mine = r.http("GET", "/api/v1/calls?tab=mine", token=alice)
    if status != 200 or len(mine.get("items", [])) != 1 or mine.get("next_cursor") is not None:
        raise Failure(f"GET /api/v1/calls?tab=mine as alice: {status} {mine}")
    call = mine["items"][0]
    expected = {"id": rows[0]["id"], "direction": "inbound", "customer": rows[0]["caller"], "result": "answered",
                "agent": {"id": "alice", "name": "Alice Kim"}, "menu": {"digit": "1", "name": "Orders"},
                "ended_by": "customer", "recording_url": f"/api/v1/calls/{rows[0]['id']}/recording"}
    wrong = {k: call.get(k) for k, v in expected.items() if call.get(k) != v}
    if wrong or call["talk_ms"] <= 0 or call["wait_ms"] <= 0 or [o["outcome"] for o in call["offers"]] != ["answered"]:
        raise Failure(f"alice's call in the history: {wrong or call}, expected {expected}")
    # Newest first, one per page, following next_cursor.
    status, page1 = r.http("GET", "/api/v1/calls?tab=all&limit=1", token=bob)
    if status != 200 or [i["id"] for i in page1["items"]] != [rows[1]["id"]] or not page1["next_cursor"]:
        raise Failure(f"GET /api/v1/calls?tab=all&limit=1: {status} {page1}")
    status, page2 = r.http("GET", f"/api/v1/calls?tab=all&limit=1&cursor={page1['next_cursor']}", token=bob)
    if status != 200 or [i["id"] for i in page2["items"]] != [rows[0]["id"]] or page2["next_cursor"] is not None:
        raise Failure(f"the second page: {status} {page2}")
    status, unconnected = r.http("GET", "/api/v1/calls?tab=unconnected", token=bob)
    if status != 200 or unconnected["items"]:
        raise Failure(f"GET /api/v1/calls?tab=unconnected: {status} {unconnected}")
    status, one = r.http("GET", f"/api/v1/calls/{rows[1]['id']}", token=alice)
    if status != 200 or one.get("id") != rows[1]["id"] or one["agent"]["id"] != "bob":
        raise Failure(f"GET /api/v1/calls/{rows[1]['id']}: {status} {one}")
    for path, code in (("/api/v1/calls/999999", 404), ("/api/v1/calls/x", 404), ("/api/v1/calls?tab=bogus", 422),
                       ("/api/v1/calls?cursor=zz", 422), ("/api/v1/calls?limit=0", 422)):
        status, body = r.http("GET", path, token=alice)
        if status != code:
            raise Failure(f"GET {path}: {status} {body}, expected {code}")


def t_abandon(r: Run) -> None:
    """alice is logged in but on Break: the customer hears welcome, please_wait,
    callback_offer, waits, hangs up: unconnected, ended_by customer, nothing rang."""
    r.start_server()
    phone = r.phone("alice", "agent_ring.xml")
    r.login("alice")  # after_login break
    peer = r.rtp_peer(TRUNK_IP)
    customer = r.customer("trunk_call.xml", pause_ms=2500, rtp_port=peer.port)
    r.expect_exit(customer, 20)
    no_ringing(customer)
    heard(r, peer, ["welcome", "please_wait", "callback_offer"])
    r.expect_no_invite(phone)
    r.expect_idle()
    [row] = r.wait_calls(1)
    r.expect_call(row, result="unconnected", ended_by="customer", agent=None, menu_digit="1", answered=None)
    if r.offers(row["id"]):
        raise Failure(f"call_offers {r.offers(row['id'])}: nobody was Ready")
    r.unregister_all()


def callback_test(r: Run, *, login: bool) -> None:
    customer = r.customer(keys_scenario(r, "*1", "trunk_callback"), pause_ms=1500, extra=r.media_args(TRUNK_IP),
                          name="customer-callback")
    r.expect_exit(customer, 20)
    no_ringing(customer)
    rows = r.wait_calls(len(r.calls()))
    row = rows[-1]
    r.expect_call(row, result="callback", agent=None, menu_digit="1", caller=CALLER)
    got = [(d.get("from"), d.get("digit")) for d in r.server_log("dtmf")]
    if got[-2:] != [("customer", "*"), ("customer", "1")]:
        raise Failure(f"dtmf lines {got}, expected * then 1 from the customer")
    cbs = r.callbacks()
    if len(cbs) != 1 or cbs[0]["number"] != CALLER or cbs[0]["menu_digit"] != "1" or cbs[0]["call_id"] != row["id"] \
            or cbs[0]["done"] is not None or cbs[0]["domain"] != DOMAIN:
        raise Failure(f"callbacks {cbs}: expected one for {CALLER}, menu 1, call {row['id']}, not done")
    r.log(f"callback {cbs[0]}")


def t_callback(r: Run) -> None:
    """Waiting (alice logged in, on Break), the customer presses * (callback_question) then
    1: the server hangs up (BYE); result callback; one callbacks row with the caller's
    number and the menu."""
    r.start_server()
    phone = r.phone("alice", "agent_ring.xml")
    r.login("alice")
    callback_test(r, login=True)
    r.expect_no_invite(phone)
    r.expect_idle()
    r.unregister_all()


def t_no_agents(r: Run) -> None:
    """Nobody logged in: the customer hears welcome, no_agents, callback_offer and hangs up
    (unconnected); a second customer presses * 1 and gets a callback."""
    r.start_server()
    phone = r.phone("alice", "agent_ring.xml")  # registered, not logged in
    peer = r.rtp_peer(TRUNK_IP)
    customer = r.customer("trunk_call.xml", pause_ms=2000, rtp_port=peer.port)
    r.expect_exit(customer, 20)
    no_ringing(customer)
    heard(r, peer, ["welcome", "no_agents", "callback_offer"])
    [row] = r.wait_calls(1)
    r.expect_call(row, result="unconnected", ended_by="customer", agent=None)
    callback_test(r, login=False)
    r.expect_no_invite(phone)
    r.expect_idle()
    r.unregister_all()


def t_menu_digit(r: Run) -> None:
    """Acme with two menus (1 Orders: alice, bob; 2 Billing: carol): the customer hears the
    menu question and presses 2: the call is queued in menu 2 and rings carol only (From
    display name "Billing"), though alice was Ready longer."""
    r.start_server(second_menu=True)
    alice = r.phone("alice", "agent_ring.xml")
    carol = r.phone("carol", "agent_hangup.xml", ip=OTHER_IP)
    r.login("alice", ready=True)
    r.login("carol", ready=True)
    customer = r.customer(keys_scenario(r, "2", "trunk_menu_2"), pause_ms=700, extra=r.media_args(TRUNK_IP))
    r.expect_exit(customer, 20)
    r.expect_exit(carol, 15)
    no_ringing(customer)
    check_offer(carol, menu="Billing")
    r.expect_no_invite(alice)
    r.expect_idle()
    [row] = r.wait_calls(1)
    r.expect_call(row, result="answered", ended_by="agent", agent="carol", menu_digit="2", menu_name="Billing")
    r.wait_state("alice", "ready")
    r.unregister_all()


def t_two_orgs(r: Run) -> None:
    """Acme and Globex both have an agent "alice" (different numbers, domains, secrets):
    a call to Acme's number rings only Acme's alice, one to Globex's only Globex's."""
    r.start_server()
    acme = r.phone("alice", "agent_answer.xml", name="phone-alice-acme")
    globex = r.phone("alice", "agent_answer.xml", ip=OTHER_IP, domain=GLOBEX, name="phone-alice-globex")
    r.login("alice", ready=True)
    r.login("alice", domain=GLOBEX)  # Globex: after_login ready
    r.wait_state("alice", "ready", domain=GLOBEX)
    c1 = r.customer("trunk_call.xml", pause_ms=TALK_MS, name="customer-acme")
    r.expect_exit(c1, 20)
    r.expect_exit(acme, 15)
    if globex.received_requests("INVITE"):
        raise Failure("Globex's alice rang for a call to Acme's number")
    check_offer(acme)
    c2 = r.customer("trunk_call.xml", number=GLOBEX_NUMBER, pause_ms=TALK_MS, name="customer-globex")
    r.expect_exit(c2, 20)
    r.expect_exit(globex, 15)
    check_offer(globex, menu="Support")
    rows = r.wait_calls(2)
    keys = {(row["domain"], row["agent_key"]) for row in rows}
    owners = {row["key"]: row["domain"] for row in r.db("SELECT a.key AS key, o.domain AS domain FROM agents a"
                                                         " JOIN orgs o ON o.id = a.org_id")}
    r.expect_call(rows[0], result="answered", agent="alice", domain=DOMAIN, called=NUMBER)
    r.expect_call(rows[1], result="answered", agent="alice", domain=GLOBEX, called=GLOBEX_NUMBER)
    if any(owners.get(k) != d for d, k in keys):
        raise Failure(f"a call was answered by another org's agent: {[(d, owners.get(k)) for d, k in keys]}")
    r.wait_state("alice", "acw")
    r.wait_state("alice", "acw", domain=GLOBEX)
    # The history API is org-scoped too: each alice sees her own org's call only, and the
    # other org's call is 404 (I1-I2).
    for domain, own, other in ((DOMAIN, rows[0], rows[1]), (GLOBEX, rows[1], rows[0])):
        token = r.tokens[(domain, "alice")]
        status, page = r.http("GET", "/api/v1/calls?tab=all", token=token)
        if status != 200 or [item["id"] for item in page["items"]] != [own["id"]]:
            raise Failure(f"GET /api/v1/calls?tab=all as {domain}'s alice: {status} {page}")
        status, body = r.http("GET", f"/api/v1/calls/{other['id']}", token=token)
        if status != 404:
            raise Failure(f"{domain}'s alice read the other org's call: {status} {body}")
    r.expect_idle()
    r.unregister_all()


def t_restart_interrupted(r: Run) -> None:
    """A call answered and ended, then a second one waiting (alice in acw) when the server
    is killed (SIGKILL): after the restart the second call's row says interrupted, the
    first is unchanged."""
    r.start_server()
    phone = r.phone("alice", "agent_hangup.xml")
    r.login("alice", ready=True)
    first = r.customer("trunk_call_agent_bye.xml", name="customer-1")
    r.expect_exit(first, 20)
    r.expect_exit(phone, 15)
    [done] = r.wait_calls(1)
    r.expect_call(done, result="answered", ended_by="agent", agent="alice")
    r.wait_state("alice", "acw")
    r.customer("trunk_call.xml", pause_ms=60000, name="customer-2")
    deadline = time.monotonic() + 10
    while not (len(rows := r.calls()) == 2 and rows[1]["result"] == "in_progress"):
        if time.monotonic() > deadline:
            raise Failure(f"the second call has no in_progress row within 10 s: {rows}")
        time.sleep(0.05)
    r.expect_gauges({"sb_acd_waiting": 1}, timeout=3)
    r.kill_server(signal.SIGKILL)
    for p in r.procs:
        if isinstance(p, Sipp):
            p.stop(grace=1)
    r.restart_server()
    rows = r.wait_calls(2)
    if rows[0] != done:
        raise Failure(f"the ended call's row changed over the restart: {done} → {rows[0]}")
    r.expect_call(rows[1], result="interrupted", agent=None)
    r.expect_idle()
    r.registered.clear()  # the phones are gone


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


SDP_BODY_RE = re.compile(r"(      Content-Type: application/sdp\n)(      Content-Length: \[len\]\n\n)(.*?)(\n    \]\]>)", re.S)


def refused_invite(r: Run, case: str, expected: int, *, max_forwards: str = "70", header: str = "X-Case: plain",
                   content_type: str | None = "application/sdp", body: str | None = None) -> None:
    """A trunk INVITE rewritten for one case from the trunk_invite_refused.xml template."""
    text = (SCENARIOS / "trunk_invite_refused.xml").read_text()
    text = text.replace("Max-Forwards: 70\n      From: \"Customer\"", f"Max-Forwards: {max_forwards}\n      From: \"Customer\"", 1)
    text = text.replace("X-Case: plain", header)

    def rewrite(m: re.Match) -> str:
        ct = f"      Content-Type: {content_type}\n" if content_type else ""
        b = m.group(3) if body is None else body
        return ct + m.group(2) + b + m.group(4)

    text = SDP_BODY_RE.sub(rewrite, text, count=1)
    scenario = r.dir / f"trunk_invite_{case}.xml"
    scenario.write_text(text)
    p = r.sipp(f"invite-{case}", scenario, TRUNK_IP, target=r.server.sip,  # type: ignore[union-attr]
               keys={"rtp_port": str(r.rtp_sink(TRUNK_IP))}, extra=["-s", NUMBER])
    r.expect_exit(p, 15)
    got = p.received_responses()
    if not got or got[-1] != expected:
        raise Failure(f"INVITE ({case}) got {got}, expected {expected}")
    r.log(f"INVITE ({case}): {got[-1]}")


def t_invite_refused(r: Run) -> None:
    """Trunk INVITEs the server cannot take: Require of an unknown extension 420, Max-Forwards
    0 483, no SDP offer 488, a text body 415, audio in no codec we take 488; no phone rings."""
    r.start_server()
    phone = r.phone("alice", "agent_ring.xml")
    refused_invite(r, "require", 420, header="Require: x-no-such-extension")
    refused_invite(r, "max_forwards", 483, max_forwards="0")
    refused_invite(r, "no_sdp", 488, content_type=None, body="")
    refused_invite(r, "text_body", 415, content_type="text/plain", body="      hello\n")
    refused_invite(r, "no_codec", 488,
                   body="      v=0\n      o=trunk 1 1 IN IP4 [local_ip]\n      s=-\n      c=IN IP4 [local_ip]\n"
                        "      t=0 0\n      m=audio [rtp_port] RTP/AVP 18\n      a=rtpmap:18 G729/8000\n")
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
    out through the trunk (a sipp UAS at the trunk's outbound address) and is answered; the
    call is recorded as outbound and alice ends in her after-call state."""
    r.start_server()
    r.login("alice", ready=True)
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
    # An outbound record: the org's number shown, the customer's number called, alice's
    # call; alice was OnCall during it and is in the org's after-call state now (E2).
    row = r.wait_calls(1)[0]
    r.expect_call(row, direction="outbound", agent="alice", result="answered", caller=NUMBER,
                  called=CUSTOMER_NUMBER, ended_by="agent", end_reason="hangup")
    if row["answered"] is None or row["answered"] < row["arrived"]:
        raise Failure(f"the outbound call's answer time is wrong: {row}")
    r.wait_state("alice", "acw")
    r.expect_idle()


LOSS_CALLS = 10
LINGER_MS = 10000


def t_udp_loss(r: Run) -> None:
    """10 calls (10 agents on one phone) with 10 % of the UDP packets lost at both ends:
    retransmissions recover every one; 10 records answered."""
    r.start_server(extra_agents=LOSS_CALLS)
    agents = [extra_agent(i) for i in range(1, LOSS_CALLS + 1)]  # one per call (after a call: acw)
    # agent_answer_lossy.xml lingers 10 s after the 200 for the BYE so that the BYE's
    # retransmissions (0.5, 1, 2, 4, 4 s apart) are answered again when that 200 is lost.
    phone = r.phone(agents[0], "agent_answer_lossy.xml", calls=LOSS_CALLS, extra=["-lost", "10"], also=agents[1:])
    for a in agents:
        r.login(a, ready=True)
    # Each customer stays 5 s: the welcome and the ring under loss (retransmissions 0.5 s
    # apart), then the talk; the phone must get the BYE, not a CANCEL.
    customer = r.customer("trunk_call.xml", calls=LOSS_CALLS, pause_ms=5000,
                          extra=["-lost", "10", "-r", "5", "-l", "5"])
    r.expect_exit(customer, 60)
    r.expect_exit(phone, LINGER_MS / 1000 + 20)
    r.expect_idle()
    rows = r.wait_calls(LOSS_CALLS)
    if any(row["result"] != "answered" for row in rows) or len({row["agent"] for row in rows}) != LOSS_CALLS:
        raise Failure(f"expected {LOSS_CALLS} calls answered by {LOSS_CALLS} agents: {rows}")
    r.unregister_all()


# --- media: tones, recordings, DTMF, hold, crash, timeout --------------------------------
# sipp plays raw G.711 files with rtp_stream and RFC 4733 captures with play_pcap_audio;
# rtp_tool.RtpPeer stands in for a side whose received audio must be checked.

TALK_S = 5.0  # how long the tone customers stay (-d): ~0.6 s of prompt and ring, then the talk


def tone_files(r: Run, agent_pt: int = rtp_tool.PCMU) -> None:
    """customer-tone.ulaw (1 kHz) and agent-tone.ulaw/.alaw (2 kHz) where sipp runs."""
    rtp_tool.write_tone_file(r.dir / "customer-tone.ulaw", 1000, rtp_tool.PCMU)
    rtp_tool.write_tone_file(r.dir / "agent-tone.ulaw", 2000, rtp_tool.PCMU)
    rtp_tool.write_tone_file(r.dir / "agent-tone.alaw", 2000, rtp_tool.PCMA)


def pcma_phone(r: Run, scenario: str = "agent_media_answer.xml") -> Path:
    """The phone's scenario rewritten to answer PCMA only and play the A-law tone."""
    text = (SCENARIOS / scenario).read_text()
    for old, new in (("RTP/AVP 0 101", "RTP/AVP 8 101"), ("a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000"),
                     ('rtp_stream="agent-tone.ulaw,-1,0"', 'rtp_stream="agent-tone.alaw,-1,8"')):
        if old not in text:
            raise Failure(f"{scenario} has no {old!r} to rewrite")
        text = text.replace(old, new)
    out = r.dir / scenario.replace(".xml", "_pcma.xml")
    out.write_text(text)
    return out


def sdp_port(r: Run, scenario: str | Path, port: int, name: str) -> Path:
    """A scenario whose SDP names port instead of sipp's own stream port (self-checks: the
    stream still plays from sipp's port, its far end is then an RtpPeer)."""
    path = scenario if isinstance(scenario, Path) else SCENARIOS / scenario
    out = r.dir / f"{name}.xml"
    out.write_text(path.read_text().replace("[rtpstream_audio_port]", str(port)))
    return out


def tone_figures(left: list[int], right: list[int]) -> tuple[float, float]:
    """(P(1 kHz)/P(2 kHz) on the left, P(2 kHz)/P(1 kHz) on the right)."""
    pl, pr = rtp_tool.powers(left), rtp_tool.powers(right)
    return pl[1000] / max(pl[2000], 1e-9), pr[2000] / max(pr[1000], 1e-9)


def check_tones(label: str, left: list[int], right: list[int] | None = None, *, ratio: float = 10.0) -> str:
    """Left dominated by 1 kHz and right by 2 kHz (each more than ratio times the other)."""
    pl = rtp_tool.powers(left)
    if not left or pl[1000] < ratio * pl[2000] or rtp_tool.rms(left) < 1000:
        raise Failure(f"{label}: the customer's side is not a 1 kHz tone: {rtp_tool.describe(left)}")
    figures = f"{label}: left P1k/P2k {pl[1000] / max(pl[2000], 1e-9):.3g}"
    if right is not None:
        pr = rtp_tool.powers(right)
        if not right or pr[2000] < ratio * pr[1000] or rtp_tool.rms(right) < 1000:
            raise Failure(f"{label}: the agent's side is not a 2 kHz tone: {rtp_tool.describe(right)}")
        figures += f", right P2k/P1k {pr[2000] / max(pr[1000], 1e-9):.3g}"
    return figures


def check_recording(r: Run, path: Path, talk_s: float | None = None) -> tuple[float, str]:
    """A finished recording: a 2-channel 8 kHz 16-bit WAV whose sizes match the file, the
    customer's 1 kHz on the left and the agent's 2 kHz on the right over its middle, and
    (when talk_s is given) as long as the talk within 0.5 s. Returns (seconds, figures)."""
    try:
        header = rtp_tool.wav_header(path)
        left, right = rtp_tool.read_stereo(path)
    except Exception as e:  # noqa: BLE001 (ValueError, EOFError, wave.Error, OSError)
        raise Failure(f"{path.name} is not a valid recording: {type(e).__name__}: {e}")
    if (header.channels, header.rate, header.bits) != (2, 8000, 16):
        raise Failure(f"{path.name}: {header.channels} ch, {header.rate} Hz, {header.bits} bit; expected 2, 8000, 16")
    if header.problems():
        raise Failure(f"{path.name}: {'; '.join(header.problems())}")
    seconds = len(left) / rtp_tool.RATE
    if talk_s is not None and abs(seconds - talk_s) > 0.5:
        raise Failure(f"{path.name} holds {seconds:.2f} s of audio, the talk lasted {talk_s:.2f} s (±0.5 s)")
    figures = check_tones(path.name, rtp_tool.middle(left), rtp_tool.middle(right))
    return seconds, figures


def media_tones(r: Run, agent_pt: int) -> None:
    r.start_server()
    tone_files(r)
    scenario = "agent_media_answer.xml" if agent_pt == rtp_tool.PCMU else pcma_phone(r)
    phone = r.phone("alice", scenario, extra=r.media_args(AGENT_IP))
    r.login("alice", ready=True)
    customer = r.customer("trunk_media_call.xml", extra=r.media_args(TRUNK_IP), pause_ms=int(TALK_S * 1000))
    r.expect_exit(customer, 20)
    r.expect_exit(phone, 15)
    no_ringing(customer)
    r.expect_idle()
    # The talk (and the recording) runs from the agent's answer (the server's ACK to the
    # phone) to the customer's BYE.
    acks, byes = phone.times("received", "ACK "), customer.times("sent", "BYE ")
    if len(acks) != 1 or len(byes) != 1:
        raise Failure(f"the phone got {len(acks)} ACKs and the customer sent {len(byes)} BYEs, expected one each")
    talk = byes[0] - acks[0]
    files = r.recordings()
    if len(files) != 1:
        raise Failure(f"expected exactly one recording, found {[str(f) for f in files]}")
    answered, done = r.server_log("call answered"), r.server_log("recording done")
    if len(answered) != 1 or len(done) != 1 or Path(done[0].get("path", "")) != files[0] \
            or Path(answered[0].get("recording", "")) != files[0]:
        raise Failure(f"expected one 'call answered' and one 'recording done' naming {files[0]}: {answered} {done}")
    rel = files[0].relative_to(r.data_dir / "recordings")
    if rel.parts[0] != DOMAIN or not re.fullmatch(r"\d{4}-\d\d-\d\d", rel.parts[1]) \
            or not re.fullmatch(r"\d{8}-\d{6}-.+\.wav", rel.parts[2]):
        raise Failure(f"recording path {rel}: expected {DOMAIN}/YYYY-MM-DD/YYYYMMDD-HHMMSS-<call>.wav")
    seconds, figures = check_recording(r, files[0], talk)
    logged = float(done[0].get("seconds", "nan"))
    if not abs(logged - seconds) <= 0.1:
        raise Failure(f"'recording done' says seconds={done[0].get('seconds')}, the file holds {seconds:.2f} s")
    r.log(f"talk {talk:.2f} s (ACK to BYE), recording {seconds:.2f} s, logged {logged} s; {figures}")
    [row] = r.wait_calls(1)
    r.expect_call(row, result="answered", agent="alice", recording=str(files[0]))
    r.unregister_all()


def t_media_tones(r: Run) -> None:
    """The customer plays 1 kHz, the agent 2 kHz (both PCMU, sipp's rtp_stream), 4 s, the
    customer hangs up: one recording, a stereo 8 kHz WAV, 1 kHz left, 2 kHz right (each
    >10x the other tone's power over the middle), as long as the talk within 0.5 s."""
    media_tones(r, rtp_tool.PCMU)


def t_media_tones_pcma(r: Run) -> None:
    """The same with the agent's phone on PCMA (payload 8): the bridge transcodes."""
    media_tones(r, rtp_tool.PCMA)


DTMF_KEYS = ["1", "5", "9", "*", "#"]


def t_media_dtmf(r: Run) -> None:
    """Connected to alice, the customer presses 1 5 9 * # (sipp's RFC 4733 captures,
    payload 101): the server logs `dtmf from=customer digit=D` once per key, in order;
    the call goes on (answered, ended by the customer)."""
    r.start_server()
    phone = r.phone("alice", "agent_answer.xml")
    r.login("alice", ready=True)
    customer = r.customer("trunk_dtmf.xml", extra=r.media_args(TRUNK_IP), pause_ms=TALK_MS)
    r.expect_exit(customer, 20)
    r.expect_exit(phone, 15)
    r.expect_idle()
    lines = r.server_log("dtmf")
    got = [(d.get("from"), d.get("digit")) for d in lines]
    if got != [("customer", k) for k in DTMF_KEYS]:
        raise Failure(f"dtmf log lines {got}, expected {[('customer', k) for k in DTMF_KEYS]}")
    if len({d.get("call") for d in lines}) != 1:
        raise Failure(f"the dtmf lines name different calls: {lines}")
    r.log(f"dtmf: {''.join(k for _, k in got)}")
    [row] = r.wait_calls(1)
    r.expect_call(row, result="answered", agent="alice", ended_by="customer")  # '*' while talking: no callback
    r.unregister_all()


def hold_windows(phone: Sipp) -> dict[str, tuple[float, float]]:
    """Before, during and after the agent's hold, from the phone's own message log."""
    ack = phone.times("received", "ACK ")
    invites, oks = phone.times("sent", "INVITE "), phone.times("received", "SIP/2.0 200")
    bye = phone.times("sent", "BYE ")
    answered = [next((t for t in oks if t >= sent), None) for sent in invites]  # not a retransmitted 200
    if not ack or len(invites) != 2 or None in answered or not bye:
        raise Failure(f"the phone's log lacks ACK, 2 re-INVITEs with 200s and BYE: {phone.messages_log()}")
    margin = 0.3  # the media path switches within a packet or two; keep clear of it
    return {"before": (ack[0] + margin, invites[0] - 0.1), "hold": (answered[0] + margin, invites[1] - 0.1),
            "after": (answered[1] + margin, bye[0] - 0.1)}


def media_hold(r: Run, agent_pt: int) -> None:
    r.start_server()
    tone_files(r)
    peer = r.rtp_peer(TRUNK_IP)
    peer.send_tone(1000)  # back to where the server's audio comes from (symmetric RTP)
    scenario = "agent_hold.xml" if agent_pt == rtp_tool.PCMU else pcma_phone(r, "agent_hold.xml")
    phone = r.phone("alice", scenario, extra=r.media_args(AGENT_IP))
    r.login("alice", ready=True)
    customer = r.customer("trunk_call_agent_bye.xml", rtp_port=peer.port)
    r.expect_exit(customer, 20)
    r.expect_exit(phone, 15)
    r.expect_idle()
    if customer.received_requests("INVITE"):
        raise Failure(f"the customer got {customer.received_requests('INVITE')} re-INVITEs; the server answers holds")
    pts = {p.pt for p in peer.received()}
    if pts != {rtp_tool.PCMU}:
        raise Failure(f"the customer (PCMU) got payload types {sorted(pts)}")
    figures = []
    for name, (t0, t1) in hold_windows(phone).items():
        audio = peer.audio(t0, t1)
        share, level = rtp_tool.tone_share(audio, 2000), rtp_tool.rms(audio)
        figures.append(f"{name} {t1 - t0:.1f} s: {rtp_tool.describe(audio)}")
        if len(audio) < 0.5 * (t1 - t0) * rtp_tool.RATE:
            raise Failure(f"{name} the hold the customer got {len(audio) / rtp_tool.RATE:.2f} s of audio"
                          f" in {t1 - t0:.2f} s")
        if name == "hold" and (share > 0.1 or level < 300):
            raise Failure(f"during the hold the customer must hear the melody, not the agent: {figures[-1]}")
        if name != "hold" and share < 0.8:
            raise Failure(f"{name} the hold the customer must hear the agent's 2 kHz: {figures[-1]}")
    r.log("customer heard: " + " | ".join(figures))
    files = r.recordings()
    if len(files) == 1:
        left, _ = rtp_tool.read_stereo(files[0])
        r.log(f"recording: left {rtp_tool.describe(rtp_tool.middle(left))}")
    r.unregister_all()


def t_media_hold(r: Run) -> None:
    """The agent's phone plays 2 kHz, re-INVITEs a=sendonly (the server answers recvonly
    and does not pass it on), then a=sendrecv. What the customer (an RtpPeer) receives:
    2 kHz before, the hold melody during (loud enough, no 2 kHz), 2 kHz after."""
    media_hold(r, rtp_tool.PCMU)


def t_media_hold_pcma(r: Run) -> None:
    """The same with the agent's phone on PCMA: what the customer hears is transcoded."""
    media_hold(r, rtp_tool.PCMA)


def t_media_timeout(r: Run) -> None:
    """--media-timeout 3, alice's phone sends no RTP (the customer does): about 3 s after
    the agent's answer the server ends the call with a BYE to both sides and logs `media
    timeout`; the record says answered."""
    r.start_server(["--media-timeout", "3"])
    tone_files(r)
    phone = r.phone("alice", "agent_answer.xml")
    r.login("alice", ready=True)
    customer = r.customer("trunk_media_wait_bye.xml", extra=r.media_args(TRUNK_IP))
    r.expect_exit(customer, 20)
    r.expect_exit(phone, 15)
    r.expect_idle()
    ack, bye = phone.times("received", "ACK "), customer.times("received", "BYE ")
    if not ack or not bye or phone.received_requests("BYE") != 1:
        raise Failure(f"expected a BYE to both sides: customer {len(bye)}, phone {phone.received_requests('BYE')}")
    took = bye[0] - ack[0]
    if not 2.5 <= took <= 4.5:
        raise Failure(f"the BYE came {took:.2f} s after the answer, expected about 3 s (2.5-4.5)")
    lines = r.server_log("media timeout")
    if len(lines) != 1:
        raise Failure(f"expected one 'media timeout' log line, found {lines}")
    r.log(f"BYE {took:.2f} s after the ACK; media timeout {lines[0]}")
    [row] = r.wait_calls(1)
    r.expect_call(row, result="answered", agent="alice")
    r.log(f"ended_by {row['ended_by']}")
    r.unregister_all()


CRASH_CALLS = 20


def t_media_crash(r: Run) -> None:
    """20 recorded calls (tones both ways), the server killed (SIGKILL) 3 s into the talk
    and restarted on the same data directory: it repairs the recordings, so there are 20
    valid WAVs whose header sizes match the file, each with >= 1 s of audio and 1 kHz left."""
    n = CRASH_CALLS
    r.start_server(extra_agents=n)
    tone_files(r)
    agents = [extra_agent(i) for i in range(1, n + 1)]  # one agent per call, all on one phone
    phone = r.phone(agents[0], "agent_media_answer.xml", calls=n, extra=r.media_args(AGENT_IP, n), also=agents[1:])
    for a in agents:
        r.login(a, ready=True)
    r.customer("trunk_media_call.xml", calls=n, pause_ms=60000,
               extra=r.media_args(TRUNK_IP, n) + ["-r", "20", "-l", str(n)])
    deadline = time.monotonic() + 15
    while len(r.server_log("call answered")) < n:
        if time.monotonic() > deadline:
            raise Failure(f"only {len(r.server_log('call answered'))} of {n} calls were answered within 15 s")
        time.sleep(0.1)
    time.sleep(3)
    r.expect_gauges({"sb_media_recordings": n}, timeout=1)
    r.kill_server(signal.SIGKILL)
    for p in r.procs:
        if isinstance(p, Sipp):
            p.stop(grace=1)
    crashed = r.recordings()
    stale = [f.name for f in crashed if rtp_tool.wav_header(f).problems()]
    r.log(f"{len(crashed)} recordings after the crash, {len(stale)} with stale sizes: {stale}")
    # The writer refreshes the header along with each second of audio, so a SIGKILL
    # rarely lands between the two; one file is made torn on purpose (sizes of its first
    # second, 3 bytes of a half-written frame after its data) so that every run sees the
    # repair at start.
    torn = crashed[0] if crashed else None
    if torn:
        raw = bytearray(torn.read_bytes())
        if len(raw) < 44 + 2 * 32000:
            raise Failure(f"{torn.name} holds {len(raw)} bytes after the crash, expected >= 2 s of audio")
        struct.pack_into("<I", raw, 4, 36 + 32000)
        struct.pack_into("<I", raw, 40, 32000)
        torn_frames = (len(raw) - 44) // 4
        torn.write_bytes(bytes(raw) + b"\x01\x02\x03")
    r.restart_server()
    files = r.recordings()
    repaired = r.server_log("recording repaired")
    r.log(f"'recording repaired': {repaired}")
    if torn and not any(Path(d.get("path", "")) == torn for d in repaired):
        raise Failure(f"the restarted server did not repair {torn.name} (its 'recording repaired' lines: {repaired})")
    if torn and rtp_tool.wav_header(torn).data_size != 4 * torn_frames:
        raise Failure(f"{torn.name} repaired to {rtp_tool.wav_header(torn).data_size} bytes of data,"
                      f" expected {4 * torn_frames} (the torn frame cut off)")
    if len(files) != n:
        raise Failure(f"expected {n} recordings after the restart, found {len(files)}")
    lengths, worst = [], float("inf")
    for f in files:
        header = rtp_tool.wav_header(f)
        if header.problems():
            raise Failure(f"{f.name} after the restart: {'; '.join(header.problems())}")
        left, right = rtp_tool.read_stereo(f)
        seconds = len(left) / rtp_tool.RATE
        if seconds < 1.0:
            raise Failure(f"{f.name} holds {seconds:.2f} s of audio, expected at least 1 s")
        pl = rtp_tool.powers(rtp_tool.middle(left, 0.2))
        worst = min(worst, pl[1000] / max(pl[2000], 1e-9))
        check_tones(f.name, rtp_tool.middle(left, 0.2))
        lengths.append(seconds)
    r.log(f"{n} recordings, {min(lengths):.2f}-{max(lengths):.2f} s, worst left P1k/P2k {worst:.3g}")
    rows = r.wait_calls(n)
    if any(row["result"] != "interrupted" for row in rows):
        raise Failure(f"after the restart every call of the crash must be interrupted: {rows}")
    r.expect_idle()
    phone.stop()
    r.registered.clear()  # the phone is gone; the crash took its registration's memory or not


# --- baresip --------------------------------------------------------------------------

def baresip_test(r: Run, transport: str) -> None:
    r.start_server()
    cfg, port = write_baresip_config(r, transport, r.server.sip)  # type: ignore[union-attr]
    phone = Proc(r, f"baresip-{transport}", [BARESIP, "-f", str(cfg)])
    proto = transport.upper()
    wait_for_output(phone, rf"alice@{re.escape(DOMAIN)}: \{{0/{proto}/v4\}} 200 OK", 10)
    r.expect_gauges({"sb_sip_registrations": 1}, timeout=3)
    r.login("alice", ready=True)
    customer = r.customer("trunk_call.xml", pause_ms=TALK_MS)
    r.expect_exit(customer, 20)
    wait_for_output(phone, r"Call established", 2)
    r.expect_idle()
    [row] = r.wait_calls(1)
    r.expect_call(row, result="answered", agent="alice", ended_by="customer")
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
         min_seconds: float = 0.0, timeout: float = 20, uac_pause_ms: int | None = None) -> None:
    """A UAC scenario straight against a UAS scenario (the UAS plays the server or the phone)."""
    if uas.startswith("mock:"):
        phone = r.sipp("server", uas, uas_ip, calls=calls, extra=uas_extra,
                       keys={"user": "alice", "secret": SECRETS["alice"], "rtp_port": str(r.rtp_sink(uas_ip))})
    else:
        phone = r.phone("alice", uas, ip=uas_ip, calls=calls, extra=uas_extra, pause_ms=pause_ms, register=False)
    time.sleep(0.2)
    customer = r.customer(uac, target=f"{uas_ip}:{phone.port}", ip=uac_ip, calls=calls,  # type: ignore
                          extra=uac_extra, pause_ms=pause_ms if uac_pause_ms is None else uac_pause_ms)
    r.expect_exit(customer, timeout)
    if customer.elapsed() < min_seconds:
        raise Failure(f"customer took {customer.elapsed():.1f} s, expected at least {min_seconds} s")
    r.expect_exit(phone, pause_ms / 1000 + 20)


def s_call_caller_bye(r: Run) -> None:
    pair(r, "agent_answer.xml", "trunk_call.xml")


def s_call_agent_bye(r: Run) -> None:
    pair(r, "agent_hangup.xml", "trunk_call_agent_bye.xml")


def s_cancel(r: Run) -> None:
    """agent_ring.xml (cancel, no_answer, fork_one_agent) against the server's offer that
    is CANCELled (selfcheck/offer_cancel.xml)."""
    pair(r, "agent_ring.xml", "mock:offer_cancel.xml")


def s_busy(r: Run) -> None:
    """agent_busy.xml against the server's offer refused with 486 (selfcheck/offer_busy.xml)."""
    pair(r, "agent_busy.xml", "mock:offer_busy.xml")


def s_keys(r: Run) -> None:
    """trunk_keys.xml with * then 1 (the callback test's keys) against a phone that answers
    and hangs up 3 s later, its SDP an RtpPeer: the rewritten captures arrive as RFC 4733
    events * then 1, and the customer takes the BYE."""
    peer = r.rtp_peer(AGENT_IP)
    text = (SCENARIOS / "agent_hangup.xml").read_text()
    if '<pause milliseconds="1000"/>' not in text:
        raise Failure("agent_hangup.xml has no 1 s pause to lengthen")
    late = r.dir / "agent_hangup_late.xml"
    late.write_text(text.replace('<pause milliseconds="1000"/>', '<pause milliseconds="3000"/>'))
    phone = r.phone("alice", late, register=False, rtp_port=peer.port)
    time.sleep(0.2)
    customer = r.customer(keys_scenario(r, "*1", "trunk_callback"), target=f"{AGENT_IP}:{phone.port}",  # type: ignore
                          extra=r.media_args(TRUNK_IP))
    r.expect_exit(customer, 20)
    r.expect_exit(phone, 15)
    keys = rtp_tool.dtmf_events(peer.received())
    if keys != ["*", "1"]:
        raise Failure(f"the phone's RTP peer got the keys {keys}, expected ['*', '1']")


def s_hold(r: Run) -> None:
    pair(r, "mock:hold_answer.xml", "trunk_hold.xml")


def s_media_tones(r: Run) -> None:
    """trunk_media_call.xml against agent_media_answer.xml (and its PCMA variant), each SDP
    pointing at an RtpPeer: the tone files, rtp_stream and the analysis are right."""
    tone_files(r)
    for pt, phone_scenario in ((rtp_tool.PCMU, SCENARIOS / "agent_media_answer.xml"), (rtp_tool.PCMA, pcma_phone(r))):
        label = "pcmu" if pt == rtp_tool.PCMU else "pcma"
        at_customer, at_agent = r.rtp_peer(TRUNK_IP), r.rtp_peer(AGENT_IP)
        phone = r.phone("alice", sdp_port(r, phone_scenario, at_agent.port, f"phone_{label}"), register=False,
                        extra=r.media_args(AGENT_IP), name=f"phone-{label}")
        time.sleep(0.2)
        customer = r.customer(sdp_port(r, "trunk_media_call.xml", at_customer.port, f"customer_{label}"),
                              target=f"{AGENT_IP}:{phone.port}", extra=r.media_args(TRUNK_IP),  # type: ignore
                              pause_ms=2000, name=f"customer-{label}")
        r.expect_exit(customer, 20)
        r.expect_exit(phone, 15)
        heard_by_agent, heard_by_customer = at_agent.received(), at_customer.received()
        pts = {p.pt for p in heard_by_customer}
        if pts != {pt} or {p.pt for p in heard_by_agent} != {rtp_tool.PCMU}:
            raise Failure(f"{label}: payload types {pts} to the customer, {({p.pt for p in heard_by_agent})} to the agent")
        to_agent, to_customer = at_agent.audio(), at_customer.audio()
        shares = rtp_tool.tone_share(to_agent, 1000), rtp_tool.tone_share(to_customer, 2000)
        if min(shares) < 0.9:
            raise Failure(f"{label}: customer's tone {rtp_tool.describe(to_agent)}; agent's {rtp_tool.describe(to_customer)}")
        r.log(f"{label}: customer's tone 1 kHz share {shares[0]:.3f} ({len(heard_by_agent)} packets), agent's"
              f" 2 kHz share {shares[1]:.3f} ({len(heard_by_customer)} packets)")


def s_media_dtmf(r: Run) -> None:
    """trunk_dtmf.xml against a phone whose SDP names an RtpPeer: the captures arrive as
    RFC 4733 payload 101, keys 1 5 9 * # in order."""
    peer = r.rtp_peer(AGENT_IP)
    phone = r.phone("alice", "agent_answer.xml", register=False, rtp_port=peer.port)
    time.sleep(0.2)
    customer = r.customer("trunk_dtmf.xml", target=f"{AGENT_IP}:{phone.port}", extra=r.media_args(TRUNK_IP))  # type: ignore
    r.expect_exit(customer, 20)
    r.expect_exit(phone, 15)
    keys = rtp_tool.dtmf_events(peer.received())
    if keys != DTMF_KEYS:
        raise Failure(f"the phone's RTP peer got the keys {keys}, expected {DTMF_KEYS}"
                      f" (payload types {sorted({p.pt for p in peer.received()})})")
    r.log(f"keys {keys} from {peer.received()[0].source}")


def s_media_hold(r: Run) -> None:
    """agent_hold.xml against a customer that answers its re-INVITEs (the server does in the
    real test), the customer's SDP an RtpPeer: the phone's 2 kHz tone arrives throughout."""
    tone_files(r)
    peer = r.rtp_peer(TRUNK_IP)
    phone = r.phone("alice", "agent_hold.xml", register=False, extra=r.media_args(AGENT_IP))
    time.sleep(0.2)
    customer = r.sipp("customer", "mock:hold_customer.xml", TRUNK_IP, target=f"{AGENT_IP}:{phone.port}",  # type: ignore
                      keys={"rtp_port": str(peer.port)}, extra=["-s", "alice"])
    r.expect_exit(customer, 20)
    r.expect_exit(phone, 15)
    for name, (t0, t1) in hold_windows(phone).items():
        audio = peer.audio(t0, t1)
        if rtp_tool.tone_share(audio, 2000) < 0.9:
            raise Failure(f"{name}: the phone's tone is not 2 kHz: {rtp_tool.describe(audio)}")
    r.log(f"phone's tone: {rtp_tool.describe(peer.audio())}")


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
    pair(r, "agent_answer_lossy.xml", "trunk_call.xml", calls=LOSS_CALLS, uas_extra=["-lost", "10"],
         uac_extra=["-lost", "10", "-r", "5", "-l", "5"], pause_ms=2 * LINGER_MS, timeout=60, uac_pause_ms=500)


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


# Issue 6 (agent call operations): their tests live in their own modules.
from ops_api import *  # noqa: E402,F401,F403
from ops_media import *  # noqa: E402,F401,F403

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
