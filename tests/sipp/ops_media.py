"""Issue 6 tests with real peers, media side: hold from the app, transfer (F3, F4).

Each `t_<name>(r: Run)` here is a test of run.py (it imports this module's names);
only harness.py and rtp_tool.py are imported from here.

What the customer hears is told apart by frequency: the customer is an `RtpPeer`
sending 1 kHz, alice's phone plays 2 kHz (agent_media_answer.xml), bob's 1.7 kHz
(ops_agent_transfer_answer.xml), and Acme's own hold sound (`hold.wav` dropped into
<data-dir>/prompts/acme.example/, which wins over the default melody) is a 350 Hz
tone; none of them is a test prompt's tone (harness.PROMPT_TONES). The windows of a
call (before, during, after a hold or a transfer) come from the times the test sent its
API requests and from the phones' sipp message logs.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import rtp_tool
from harness import AGENT_IP, DOMAIN, OTHER_IP, RING_TIMEOUT_S, TRUNK_IP, Failure, Run, Sipp

CALLER = "01099990000"  # the customer's number in the trunk scenarios' From
CUSTOMER_HZ, ALICE_HZ, BOB_HZ, HOLD_HZ = 1000, 2000, 1700, 350
MARGIN = 0.3  # the media path switches within a packet or two; windows keep clear of it


# --- helpers (small versions of run.py's, which this module may not import) -------------

def hold_sound(r: Run) -> None:
    """Acme's own hold sound: 1 s of 350 Hz (a whole number of periods: it loops without
    a click), read by the server the first time a call of Acme is held."""
    folder = r.data_dir / "prompts" / DOMAIN
    folder.mkdir(parents=True, exist_ok=True)
    rtp_tool.write_wav(folder / "hold.wav", rtp_tool.tone(HOLD_HZ, 1.0, 8000))


def talk_files(r: Run) -> None:
    """The phones' tones where sipp runs: alice's agent-tone.ulaw, bob's transfer-tone.ulaw."""
    rtp_tool.write_tone_file(r.dir / "agent-tone.ulaw", ALICE_HZ, rtp_tool.PCMU)
    rtp_tool.write_tone_file(r.dir / "transfer-tone.ulaw", BOB_HZ, rtp_tool.PCMU)


def customer_with_ears(r: Run, pause_ms: int) -> tuple[Sipp, rtp_tool.RtpPeer]:
    """A customer (trunk_call.xml, hangs up after pause_ms) whose SDP names an RtpPeer that
    records what the server sends and answers with 1 kHz (symmetric RTP)."""
    peer = r.rtp_peer(TRUNK_IP)
    peer.send_tone(CUSTOMER_HZ)
    return r.customer("trunk_call.xml", rtp_port=peer.port, pause_ms=pause_ms), peer


def live_call(r: Run, agent: str) -> tuple[int, dict]:
    return r.http("GET", "/api/v1/me/call", token=r.tokens[(DOMAIN, agent)])


def wait_live(r: Run, agent: str, stage: str, timeout: float = 8.0) -> dict:
    """Polls GET /api/v1/me/call until the agent's call is in stage; its body."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = live_call(r, agent)
        if status == 200 and body.get("stage") == stage:
            r.log(f"{agent}'s call {body.get('id')} is {stage}")
            return body
        if time.monotonic() > deadline:
            raise Failure(f"GET /api/v1/me/call as {agent}: {status} {body} after {timeout:.0f} s, expected stage {stage}")
        time.sleep(0.05)


def action(r: Run, agent: str, call: int, what: str, body: dict | None = None) -> tuple[int, dict, float, float]:
    """POST /api/v1/calls/{call}/{what} as agent: (status, body, sent at, answered at)."""
    sent = time.time()
    status, answer = r.http("POST", f"/api/v1/calls/{call}/{what}", body, r.tokens[(DOMAIN, agent)])
    done = time.time()
    r.log(f"POST /api/v1/calls/{call}/{what} {body or ''} as {agent}: {status} {answer} ({done - sent:.3f} s)")
    return status, answer, sent, done


def expect_live(r: Run, agent: str, label: str, **expected) -> dict:
    """GET /api/v1/me/call as agent answers 200 with each field as expected (for
    transfer_to: the agent's ID or None)."""
    status, body = live_call(r, agent)
    got = dict(body)
    if isinstance(got.get("transfer_to"), dict):
        got["transfer_to"] = got["transfer_to"].get("id")
    wrong = {k: got.get(k) for k, v in expected.items() if got.get(k) != v}
    if status != 200 or wrong:
        raise Failure(f"{label}: GET /api/v1/me/call as {agent}: {status} {body}; expected {expected}, wrong {wrong}")
    return body


def heard(r: Run, peer: rtp_tool.RtpPeer, label: str, window: tuple[float, float], freq: float,
          absent: tuple[float, ...] = (), share: float = 0.8, min_s: float = 0.5) -> str:
    """What the customer received in window (arrival times) is freq (more than share of
    the energy, loud), with less than 5 % at each frequency of absent; the figures."""
    t0, t1 = window
    if t1 - t0 < min_s:
        raise Failure(f"{label}: the window to listen in is {t1 - t0:.2f} s, expected >= {min_s} s (test timing)")
    audio = peer.audio(t0, t1)
    figures = (f"{label} {t1 - t0:.1f} s: {rtp_tool.describe(audio)}, share {freq} Hz"
               f" {rtp_tool.tone_share(audio, freq):.2f}")
    if len(audio) < 0.5 * (t1 - t0) * rtp_tool.RATE:
        raise Failure(f"{label}: the customer got {len(audio) / rtp_tool.RATE:.2f} s of audio in {t1 - t0:.2f} s")
    if rtp_tool.tone_share(audio, freq) < share or rtp_tool.rms(audio) < 300:
        raise Failure(f"{label}: the customer must hear {freq} Hz: {figures}")
    for f in absent:
        if rtp_tool.tone_share(audio, f) > 0.05:
            raise Failure(f"{label}: the customer must not hear {f} Hz ({rtp_tool.tone_share(audio, f):.2f}): {figures}")
    r.log(figures)
    return figures


def invites(phone: Sipp) -> list[str]:
    """The INVITEs the phone received (its -trace_msg log), first one per branch."""
    text = phone.messages.read_text(errors="replace") if phone.messages.exists() else ""
    blocks = [b for b in text.split("message received")[1:] if re.match(r"\s*\[\d+\] bytes :\s*\n\s*INVITE sip", b)]
    seen, out = set(), []
    for b in blocks:
        via = re.search(r"^\s*(?:Via|v):.*branch=([^;\s]+)", b, re.M | re.I)
        key = via.group(1) if via else b
        if key not in seen:
            seen.add(key)
            out.append(b)
    return out


def check_transfer_offer(phone: Sipp) -> None:
    """The transfer target's phone got one INVITE with the customer's number in From."""
    got = invites(phone)
    if len(got) != 1:
        raise Failure(f"{phone.name} got {len(got)} INVITEs, expected the transfer's one")
    frm = re.search(r"^\s*(?:From|f):\s*(.*)$", got[0], re.M | re.I)
    if not frm or not re.search(rf"<sips?:{CALLER}@", frm.group(1)):
        raise Failure(f"{phone.name}'s INVITE From is {frm.group(1) if frm else None!r}: expected the customer's"
                      f" number {CALLER}")
    if "m=audio" not in got[0]:
        raise Failure(f"{phone.name}'s INVITE has no SDP offer")


def offers(r: Run, call: int) -> list[tuple[str, str]]:
    """(agent, outcome) of each offer of the call (call_offers), in order."""
    return [(row["agent"], row["outcome"]) for row in
            r.db("SELECT a.agent_id AS agent, f.outcome AS outcome FROM call_offers f LEFT JOIN agents a"
                 " ON a.key = f.agent_key WHERE f.call_id = ? ORDER BY f.seq", (call,))]


def api_offers(r: Run, agent: str, call: int) -> list[tuple[str | None, str]]:
    """(agent, outcome) of each offer as GET /api/v1/calls/{id} serves them."""
    status, body = r.http("GET", f"/api/v1/calls/{call}", token=r.tokens[(DOMAIN, agent)])
    if status != 200:
        raise Failure(f"GET /api/v1/calls/{call} as {agent}: {status} {body}")
    return [((o.get("agent") or {}).get("id"), o.get("outcome")) for o in body.get("offers", [])]


def expect_offers(r: Run, row: dict, agent: str, expected: list[tuple[str, str]]) -> None:
    stored, served = offers(r, row["id"]), api_offers(r, agent, row["id"])
    if stored != expected or served != expected:
        raise Failure(f"call {row['id']}'s offers: call_offers {stored}, GET /api/v1/calls/{row['id']} {served};"
                      f" expected {expected}")
    r.log(f"offers {stored}")


def one_recording(r: Run, row: dict) -> tuple[list[int], list[int]]:
    """The call's only recording (the row's), a stereo 8 kHz WAV with sound sizes: (left, right)."""
    files = r.recordings()
    if len(files) != 1 or not row["recording"] or Path(row["recording"]) != files[0]:
        raise Failure(f"expected one recording, the row's ({row['recording']!r}); found {[str(f) for f in files]}")
    header = rtp_tool.wav_header(files[0])
    if (header.channels, header.rate, header.bits) != (2, 8000, 16) or header.problems():
        raise Failure(f"{files[0].name}: {header} {header.problems()}: expected a stereo 8 kHz 16-bit WAV")
    return rtp_tool.read_stereo(files[0])


def dominated(label: str, samples: list[int], freq: float, other: float) -> str:
    """samples hold freq at more than 10x the power of other, and mostly freq."""
    if len(samples) < rtp_tool.RATE // 2:
        raise Failure(f"{label}: only {len(samples) / rtp_tool.RATE:.2f} s of audio")
    p = rtp_tool.powers(samples, (freq, other))
    figures = f"{label}: {rtp_tool.describe(samples)}, P({freq})/P({other}) {p[freq] / max(p[other], 1e-9):.3g}"
    if p[freq] < 10 * p[other] or rtp_tool.tone_share(samples, freq) < 0.6:
        raise Failure(f"{label} must be {freq} Hz, not {other} Hz: {figures}")
    return figures


def seg(samples: list[int], t0: float, t1: float) -> list[int]:
    """The samples from t0 to t1 seconds (negative: from the end)."""
    n = len(samples)
    a, b = (int(t * rtp_tool.RATE) + (n if t < 0 else 0) for t in (t0, t1))
    return samples[max(a, 0):max(b, 0)]


def finish_call(r: Run, customer: Sipp, *phones: Sipp) -> dict:
    r.expect_exit(customer, 25)
    for p in phones:
        r.expect_exit(p, 15)
    r.expect_idle()
    [row] = r.wait_calls(1)
    return row


def start(r: Run) -> Sipp:
    """The server (Acme's hold sound 350 Hz), the tone files, alice's talking phone
    (2 kHz) registered and alice logged in and Ready."""
    r.start_server(extra_agents=1)
    hold_sound(r)
    talk_files(r)
    alice = r.phone("alice", "agent_media_answer.xml", extra=r.media_args(AGENT_IP))
    r.login("alice", ready=True)
    return alice


# --- F3: hold from the app ---------------------------------------------------------------

def t_app_hold(r: Run) -> None:
    """Connected to alice (her phone plays 2 kHz), the app holds the customer (POST
    /calls/{id}/hold → 204; again → 204, nothing changes) and resumes (unhold → 204;
    again → 204): the customer hears alice, then Acme's hold sound (350 Hz) and none of
    alice's audio, then alice again; no re-INVITE to either side; /me/call says held and
    counts hold_ms; the record's hold_ms is the held time (±300 ms)."""
    alice = start(r)
    customer, peer = customer_with_ears(r, 8000)
    call = wait_live(r, "alice", "connected")
    cid = call["id"]
    connected = time.time()
    if call.get("held") is not False or call.get("hold_ms") != 0 or call.get("transfer_to") is not None:
        raise Failure(f"a fresh call: {call}: expected held false, hold_ms 0, transfer_to null")
    time.sleep(1.8)
    status, body, hold_sent, hold_done = action(r, "alice", cid, "hold")
    if status != 204:
        raise Failure(f"POST /api/v1/calls/{cid}/hold: {status} {body}, expected 204")
    time.sleep(1.0)
    held = expect_live(r, "alice", "on hold", held=True, stage="connected", transfer_to=None)
    if not held.get("held_since") or not 700 <= held.get("hold_ms", -1) <= 2500:
        raise Failure(f"on hold for ~1 s: held_since {held.get('held_since')!r}, hold_ms {held.get('hold_ms')}")
    status, body, _, _ = action(r, "alice", cid, "hold")  # held already: nothing changes
    if status != 204:
        raise Failure(f"a second hold: {status} {body}, expected 204 (no change)")
    time.sleep(1.2)
    status, body, unhold_sent, unhold_done = action(r, "alice", cid, "unhold")
    if status != 204:
        raise Failure(f"POST /api/v1/calls/{cid}/unhold: {status} {body}, expected 204")
    held_s = (unhold_sent + unhold_done) / 2 - (hold_sent + hold_done) / 2
    resumed = expect_live(r, "alice", "resumed", held=False, held_since=None, stage="connected")
    if abs(resumed.get("hold_ms", -1) - 1000 * held_s) > 300:
        raise Failure(f"after the hold: hold_ms {resumed.get('hold_ms')}, held {1000 * held_s:.0f} ms (±300)")
    status, body, _, _ = action(r, "alice", cid, "unhold")  # not held: nothing changes
    if status != 204:
        raise Failure(f"a second unhold: {status} {body}, expected 204 (no change)")
    r.wait_state("alice", "on_call", timeout=1)
    row = finish_call(r, customer, alice)
    bye = customer.times("sent", "BYE ")
    if not bye:
        raise Failure("the customer's log has no BYE")
    figures = [heard(r, peer, "before the hold", (connected + MARGIN, hold_sent - 0.1), ALICE_HZ),
               heard(r, peer, "on hold", (hold_done + MARGIN, unhold_sent - 0.1), HOLD_HZ, absent=(ALICE_HZ,)),
               heard(r, peer, "after the hold", (unhold_done + MARGIN, bye[0] - 0.1), ALICE_HZ, absent=(HOLD_HZ,))]
    r.log("customer heard: " + " | ".join(figures))
    for p, who in ((alice, "alice's phone"), (customer, "the customer")):
        if p.received_requests("INVITE") != (1 if p is alice else 0):
            raise Failure(f"{who} got {p.received_requests('INVITE')} INVITEs: the app's hold must not re-INVITE")
    r.expect_call(row, result="answered", agent="alice", ended_by="customer", caller=CALLER)
    if abs(row["hold_ms"] - 1000 * held_s) > 300:
        raise Failure(f"the record's hold_ms is {row['hold_ms']}, the customer was held {1000 * held_s:.0f} ms (±300)")
    r.log(f"held {1000 * held_s:.0f} ms; record hold_ms {row['hold_ms']}")
    r.wait_state("alice", "acw")
    r.unregister_all()


# --- F4: transfer ------------------------------------------------------------------------

def t_transfer(r: Run) -> None:
    """alice (2 kHz) transfers the customer to bob (Ready): 202 {call, to bob, ringing};
    bob's phone rings (From: the customer's number) for 1.5 s while the customer hears
    the hold sound and alice's /me/call says held, transfer_to bob; bob answers: alice's
    phone gets a BYE, alice is in acw (no call), bob on_call, the customer hears bob's
    1.7 kHz until they hang up. One record: agent alice, offers alice answered then bob
    answered, one recording whose right channel is alice's tone first and bob's later,
    the customer's 1 kHz on the left."""
    alice = start(r)
    bob = r.phone("bob", "ops_agent_transfer_answer.xml", ip=OTHER_IP, extra=r.media_args(OTHER_IP))
    r.login("bob", ready=True)
    r.expect_gauges({"sb_agents_logged_in": 2}, timeout=3)
    customer, peer = customer_with_ears(r, 9000)
    call = wait_live(r, "alice", "connected")
    cid = call["id"]
    connected = time.time()
    if bob.received_requests("INVITE"):
        raise Failure("bob's phone rang for the call; alice was Ready longer")
    time.sleep(1.8)
    status, body, sent, done = action(r, "alice", cid, "transfer", {"agent": "bob"})
    if status != 202 or body != {"call": cid, "to": "bob", "outcome": "ringing"}:
        raise Failure(f"POST /api/v1/calls/{cid}/transfer bob: {status} {body}, expected 202"
                      f" {{'call': {cid}, 'to': 'bob', 'outcome': 'ringing'}}")
    during = expect_live(r, "alice", "while bob's phone rings", transfer_to="bob", stage="connected")
    # `held` is not asserted here: the docs say the transfer puts the customer on hold,
    # the server says held false (the hold is the contact center's, neither the app's
    # nor the phone's); what the customer hears is checked below.
    r.log(f"while bob's phone rings alice's call says held {during.get('held')}, hold_ms {during.get('hold_ms')}")
    ringing = wait_live(r, "bob", "ringing", timeout=1)
    if ringing.get("id") != cid:
        raise Failure(f"bob's ringing call is {ringing.get('id')}, expected {cid}")
    r.wait_state("bob", "ringing", timeout=1)
    status, body, _, _ = action(r, "alice", cid, "transfer", {"agent": "bob"})
    if status != 409 or body.get("type") != "/problems/call-state":
        raise Failure(f"a second transfer while one rings: {status} {body}, expected 409 /problems/call-state")
    status, body, _, _ = action(r, "alice", cid, "hold")
    if status != 409 or body.get("type") != "/problems/call-state":
        raise Failure(f"hold while a transfer rings: {status} {body}, expected 409 /problems/call-state")
    took = wait_live(r, "bob", "connected", timeout=RING_TIMEOUT_S)
    if took.get("id") != cid or (took.get("agent") or {}).get("id") != "alice":
        raise Failure(f"bob's call after answering: {took}: expected call {cid}, agent (who answered first) alice")
    r.wait_state("alice", "acw")
    r.wait_state("bob", "on_call", timeout=1)
    status, body = live_call(r, "alice")
    if status != 404 or body.get("type") != "/problems/no-call":
        raise Failure(f"alice handed the call over: GET /api/v1/me/call {status} {body}, expected 404 /problems/no-call")
    row = finish_call(r, customer, alice, bob)
    check_transfer_offer(bob)
    if alice.received_requests("BYE") != 1:
        raise Failure(f"alice's phone got {alice.received_requests('BYE')} BYEs, expected the one ending her part")
    alice_bye = alice.times("received", "BYE ")[0]
    bob_ok, bob_ack = bob.times("sent", "SIP/2.0 200"), bob.times("received", "ACK ")
    bye = customer.times("sent", "BYE ")
    if not bob_ok or not bob_ack or not bye:
        raise Failure(f"logs lack bob's 200 {bob_ok}, bob's ACK {bob_ack} or the customer's BYE {bye}")
    if not bob_ok[0] - 0.2 <= alice_bye <= bob_ack[0] + 1.0:
        raise Failure(f"alice's phone got its BYE at {alice_bye:.2f}, bob answered at {bob_ok[0]:.2f}:"
                      " expected it once bob answered")
    if bob.received_requests("BYE") != 1:
        raise Failure("bob's phone did not get the customer's BYE")
    figures = [heard(r, peer, "alice", (connected + MARGIN, sent - 0.1), ALICE_HZ, absent=(BOB_HZ,)),
               heard(r, peer, "bob's phone rings", (done + MARGIN, bob_ok[0] - 0.1), HOLD_HZ,
                     absent=(ALICE_HZ, BOB_HZ)),
               heard(r, peer, "bob", (bob_ack[0] + MARGIN, bye[0] - 0.1), BOB_HZ, absent=(ALICE_HZ, HOLD_HZ))]
    r.log("customer heard: " + " | ".join(figures))
    r.expect_call(row, result="answered", agent="alice", ended_by="customer", caller=CALLER)
    r.log(f"record: hold_ms {row['hold_ms']} (the transfer's ringing was {bob_ok[0] - done:.2f} s)")
    expect_offers(r, row, "bob", [("alice", "answered"), ("bob", "answered")])
    left, right = one_recording(r, row)
    figures = [dominated("left (the customer)", rtp_tool.middle(left), CUSTOMER_HZ, ALICE_HZ),
               dominated("right, first second (alice)", seg(right, 0.3, 1.3), ALICE_HZ, BOB_HZ),
               dominated("right, last second (bob)", seg(right, -1.3, -0.3), BOB_HZ, ALICE_HZ)]
    r.log("recording: " + " | ".join(figures))
    r.wait_state("bob", "acw")
    r.unregister_all()


def t_transfer_not_ready(r: Run) -> None:
    """Transfers to bob on break and to agent01 (offline) are 409 /problems/agent-not-ready,
    to alice herself 422, to nobody 404: nothing changes (no phone rings, not held, no
    transfer_to, the customer hears alice throughout); the call goes on and ends
    normally: one offer (alice), answered, ended by the customer."""
    alice = start(r)
    bob = r.phone("bob", "agent_ring.xml", ip=OTHER_IP)
    r.login("bob")  # after_login break
    customer, peer = customer_with_ears(r, 6000)
    call = wait_live(r, "alice", "connected")
    cid = call["id"]
    connected = time.time()
    time.sleep(1.0)
    for target, code, kind in (("bob", 409, "/problems/agent-not-ready"), ("agent01", 409, "/problems/agent-not-ready"),
                               ("alice", 422, "/problems/invalid-input"), ("nobody", 404, None)):
        status, body, _, _ = action(r, "alice", cid, "transfer", {"agent": target})
        if status != code or (kind and body.get("type") != kind):
            raise Failure(f"transfer to {target}: {status} {body}, expected {code} {kind or ''}")
        expect_live(r, "alice", f"after the transfer to {target}", held=False, transfer_to=None, stage="connected",
                    hold_ms=0)
    last = time.time()
    if r.state("bob") != "break":
        raise Failure(f"bob is {r.state('bob')} after the refused transfer, expected break")
    status, body = live_call(r, "bob")
    if status != 404:
        raise Failure(f"bob's GET /api/v1/me/call: {status} {body}, expected 404 (no call)")
    r.wait_state("alice", "on_call", timeout=1)
    row = finish_call(r, customer, alice)
    bye = customer.times("sent", "BYE ")
    heard(r, peer, "alice throughout", (connected + MARGIN, bye[0] - 0.1), ALICE_HZ, absent=(HOLD_HZ,))
    if last > bye[0] - 1:
        raise Failure("the call ended before the refused transfers were done (test timing)")
    r.expect_no_invite(bob)
    r.expect_call(row, result="answered", agent="alice", ended_by="customer", hold_ms=0)
    expect_offers(r, row, "alice", [("alice", "answered")])
    r.wait_state("alice", "acw")
    r.wait_state("bob", "break", timeout=1)
    r.unregister_all()


def transfer_back(r: Run, bob_scenario: str, pause_ms: int, *, rings_s: float | None) -> None:
    """alice transfers to bob, whose phone does not take the call: the call comes back to
    alice (the customer hears the hold sound meanwhile, then alice again), bob goes on
    break, the record shows bob's offer missed."""
    alice = start(r)
    bob = r.phone("bob", bob_scenario, ip=OTHER_IP)
    r.login("bob", ready=True)
    customer, peer = customer_with_ears(r, pause_ms)
    call = wait_live(r, "alice", "connected")
    cid = call["id"]
    connected = time.time()
    time.sleep(1.5)
    status, body, sent, done = action(r, "alice", cid, "transfer", {"agent": "bob"})
    if status != 202 or body != {"call": cid, "to": "bob", "outcome": "ringing"}:
        raise Failure(f"POST /api/v1/calls/{cid}/transfer bob: {status} {body}, expected 202 ringing")
    # Back to alice: no transfer ringing, not held, still connected, alice still the agent.
    deadline = time.monotonic() + (rings_s or 0) + 3
    while True:
        status, body = live_call(r, "alice")
        if status == 200 and body.get("transfer_to") is None:
            break
        if time.monotonic() > deadline:
            raise Failure(f"the call did not come back to alice: GET /api/v1/me/call {status} {body}")
        time.sleep(0.05)
    back = time.time()
    r.log(f"the call came back to alice {back - done:.2f} s after the transfer")
    expect_live(r, "alice", "back", held=False, stage="connected", id=cid)
    r.wait_state("bob", "break", timeout=1)
    r.wait_state("alice", "on_call", timeout=1)
    status, body = live_call(r, "bob")
    if status != 404:
        raise Failure(f"bob's GET /api/v1/me/call after the failed transfer: {status} {body}, expected 404")
    row = finish_call(r, customer, alice, bob)
    check_transfer_offer(bob)
    bye = customer.times("sent", "BYE ")
    if rings_s is not None:
        invite, cancel = bob.times("received", "INVITE "), bob.times("received", "CANCEL ")
        if not invite or not cancel or not rings_s - 0.5 <= cancel[0] - invite[0] <= rings_s + 1.5:
            raise Failure(f"bob's phone: INVITE at {invite}, CANCEL at {cancel}: expected the CANCEL {rings_s} s"
                          " after the INVITE (the org's ring timeout)")
        r.log(f"bob's phone rang {cancel[0] - invite[0]:.2f} s")
        heard(r, peer, "bob's phone rings", (done + MARGIN, cancel[0] - 0.1), HOLD_HZ, absent=(ALICE_HZ,))
    returned = max(back, (bob.times("received", "CANCEL ") or bob.times("sent", "SIP/2.0 486"))[0])
    heard(r, peer, "alice before", (connected + MARGIN, sent - 0.1), ALICE_HZ, absent=(HOLD_HZ,))
    heard(r, peer, "alice again", (returned + MARGIN, bye[0] - 0.1), ALICE_HZ, absent=(HOLD_HZ,), min_s=1.0)
    r.expect_call(row, result="answered", agent="alice", ended_by="customer", caller=CALLER)
    r.log(f"record: hold_ms {row['hold_ms']}")
    expect_offers(r, row, "alice", [("alice", "answered"), ("bob", "missed")])
    left, right = one_recording(r, row)
    r.log("recording: " + dominated("right, last second (alice)", seg(right, -1.3, -0.3), ALICE_HZ, HOLD_HZ))
    r.wait_state("alice", "acw")
    r.wait_state("bob", "break", timeout=1)
    r.unregister_all()


def t_transfer_no_answer(r: Run) -> None:
    """alice transfers to bob, whose phone rings and is never answered: CANCEL after the
    org's ring timeout (5 s), the customer hears the hold sound meanwhile and alice again
    after; bob on break; offers alice answered, bob missed; record agent alice."""
    transfer_back(r, "agent_ring.xml", 12000, rings_s=RING_TIMEOUT_S)


def t_transfer_busy(r: Run) -> None:
    """alice transfers to bob, whose phone refuses (486): the call comes back to alice at
    once (the customer hears her again), bob on break, offers alice answered, bob missed."""
    transfer_back(r, "agent_busy.xml", 6500, rings_s=None)


# --- self-check: the new scenario against a customer, no server --------------------------

def s_transfer_answer(r: Run) -> None:
    """ops_agent_transfer_answer.xml answered straight by trunk_call.xml whose SDP names an
    RtpPeer: the phone rings ~1.5 s before its 200, then its 1.7 kHz tone arrives."""
    talk_files(r)
    peer = r.rtp_peer(TRUNK_IP)
    phone = r.phone("bob", "ops_agent_transfer_answer.xml", register=False, extra=r.media_args(AGENT_IP))
    time.sleep(0.2)
    customer = r.customer("trunk_call.xml", target=f"{AGENT_IP}:{phone.port}", rtp_port=peer.port,  # type: ignore
                          pause_ms=2000)
    r.expect_exit(customer, 20)
    r.expect_exit(phone, 15)
    invite, ok = phone.times("received", "INVITE "), phone.times("sent", "SIP/2.0 200")
    if not invite or not ok or not 1.4 <= ok[0] - invite[0] <= 2.5:
        raise Failure(f"the phone got its INVITE at {invite} and answered at {ok}: expected ~1.5 s of ringing")
    audio = peer.audio()
    if rtp_tool.tone_share(audio, BOB_HZ) < 0.9:
        raise Failure(f"the phone's tone is not {BOB_HZ} Hz: {rtp_tool.describe(audio)}")
    r.log(f"rang {ok[0] - invite[0]:.2f} s; tone: {rtp_tool.describe(audio)}")


# run.py does `from ops_media import *` after defining its own helpers: export the tests
# only, so that no helper here (heard, CALLER, ...) replaces one of run.py's.
__all__ = [name for name in list(globals()) if name.startswith(("t_", "s_"))]
