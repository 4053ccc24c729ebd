"""Issue 6 tests with real peers, API side: dialling (E1–E4, N6), notes (G1–G5),
recordings (I4), callbacks (K1–K2) and the events WebSocket.

Each `t_<name>(r: Run)` here is a test of run.py (it imports this module's names);
only harness.py and rtp_tool.py are imported from here. Only the tests are exported
(`__all__`): run.py does `from ops_api import *` after its own helpers, and a helper of
the same name here must not replace one of run.py's.

The agent's side of a call the app places (E1, K1) is a sipp UAS registered as the
agent's phone (`api_phone_answer_hangup.xml`): the server rings it first, and dials the
far end once it answers; the far end is a sipp UAS on the trunk's `outbound` address
(`agent_answer.xml`, as in run.py's agent_call_out). A phone that dials itself is a
sipp UAC with digest credentials (`api_phone_dial.xml`, `api_phone_dial_refused.xml`).

Not covered: the events WebSocket (/api/v1/events). Python's standard library has no
WebSocket client and neither python3-websocket nor python3-websockets is installed
here, so those events are left to the C++ integration tests.
"""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import rtp_tool
from harness import (AGENT_IP, CATEGORIES, DOMAIN, GLOBEX, NUMBER, OTHER_IP, SCENARIOS, SECRETS, TRUNK_IP, Failure,
                     Run, Sipp)

CALLER = "01099990000"  # the customer's number in the trunk scenarios' From
TYPED = "010-1234-5678"  # what the agent types
NATIONAL = "01012345678"  # what the trunk must get
INTERNATIONAL = ("+1 212 555 0100", "001-1-212-5550100", "00700 1 212 5550100")  # Acme's country is 82
PHONE_INTERNATIONAL = ("+12125550100", "001-1-212-5550100")  # as a SIP Request-URI user part


# --- helpers ---------------------------------------------------------------------------

def _start(r: Run, **prov) -> None:
    """r.start_server(); Acme's after-call categories (harness.CATEGORIES) are checked
    through GET /api/v1/me later."""
    r.start_server(**prov)


def _check_categories(r: Run, token: str) -> None:
    status, me = r.http("GET", "/api/v1/me", token=token)
    got = me.get("org", {}).get("categories") if status == 200 else None
    if got != CATEGORIES:
        raise Failure(f"GET /api/v1/me: {status}, org categories {got!r}, expected {CATEGORIES} (provisioning)")


def _blocks(p: Sipp, method: str) -> list[str]:
    """The text of every request of method p received (its -trace_msg log)."""
    text = p.messages.read_text(errors="replace") if p.messages.exists() else ""
    return [b for b in text.split("message received")[1:] if re.match(rf"\s*\[\d+\] bytes :\s*\n\s*{method} sip", b)]


def _invite(p: Sipp) -> tuple[str, str]:
    """(Request-URI, From header) of the one INVITE p received (retransmissions aside)."""
    invites = _blocks(p, "INVITE")
    if not invites:
        raise Failure(f"{p.name} got no INVITE")
    uris = {re.search(r"INVITE (\S+) SIP/2\.0", b).group(1) for b in invites}  # type: ignore[union-attr]
    if len(uris) != 1:
        raise Failure(f"{p.name} got INVITEs for {sorted(uris)}, expected one call")
    frm = re.search(r"^\s*(?:From|f):\s*(.*)$", invites[0], re.M | re.I)
    return uris.pop(), frm.group(1).strip() if frm else ""


def _from_user(header: str) -> str:
    m = re.search(r"<sips?:([^@>;]*)@", header) or re.search(r"sips?:([^@>;]*)@", header)
    return m.group(1) if m else ""


def _problem(what: str, status: int, body: dict, code: int, slug: str) -> None:
    if status != code or body.get("type") != f"/problems/{slug}" or body.get("status") != code:
        raise Failure(f"{what}: {status} {body}, expected {code} /problems/{slug}")


def _ok(what: str, status: int, body: dict, code: int = 200) -> dict:
    if status != code:
        raise Failure(f"{what}: {status} {body}, expected {code}")
    return body


def _fields(what: str, obj: dict, **expected) -> None:
    wrong = {k: obj.get(k) for k, v in expected.items() if obj.get(k) != v}
    if wrong:
        raise Failure(f"{what}: {wrong}, expected {expected} (all: {obj})")


def _raw(r: Run, path: str, token: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers with lower-case names, body bytes) of a GET that need not be JSON."""
    assert r.server
    req = urllib.request.Request(f"http://127.0.0.1:{r.server.http_port}{path}", method="GET")
    req.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def _carrier(r: Run, calls: int = 1) -> Sipp:
    """The far end of outbound calls: a sipp UAS on the trunk's outbound address that
    answers and waits for the BYE."""
    p = r.sipp("carrier", "agent_answer.xml", TRUNK_IP, port=r.outbound_port, calls=calls,
               keys={"user": "carrier", "rtp_port": str(r.rtp_sink(TRUNK_IP))}, extra=["-aa"])
    time.sleep(0.2)
    if not p.alive():
        raise Failure(f"the carrier sipp exited at once ({p.popen.returncode})")
    return p


def _phone_dial(r: Run, target: str, scenario: str, name: str, *, talk_ms: int = 500) -> Sipp:
    """alice's phone (not the registered one) dials target itself, with her credentials."""
    return r.sipp(name, scenario, AGENT_IP, target=r.server.sip,  # type: ignore[union-attr]
                  keys={"user": "alice", "domain": DOMAIN, "rtp_port": str(r.rtp_sink(AGENT_IP))},
                  extra=["-s", target, "-au", "alice", "-ap", SECRETS["alice"], "-auth_uri", f"{target}@{DOMAIN}"],
                  pause_ms=talk_ms)


def _check_trunk_invite(r: Run, carrier: Sipp, number: str) -> None:
    """The trunk got the call for number in national form, from the org's number."""
    uri, frm = _invite(carrier)
    expected = f"sip:{number}@{TRUNK_IP}:{r.outbound_port}"
    if uri != expected or _from_user(frm) != NUMBER:
        raise Failure(f"the trunk's INVITE is for {uri} from {frm!r}, expected {expected} from <sip:{NUMBER}@…>")


def _wait_connected(r: Run, token: str, call: int, timeout: float = 5.0) -> dict:
    """Polls GET /api/v1/me/call until the agent's call `call` is connected."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = r.http("GET", "/api/v1/me/call", token=token)
        if status == 200 and body.get("id") == call and body.get("stage") == "connected":
            r.log(f"me/call: {body.get('stage')} {body.get('direction')} {body.get('customer')}")
            return body
        if time.monotonic() > deadline:
            raise Failure(f"GET /api/v1/me/call: {status} {body}, expected call {call} connected"
                          f" within {timeout:.0f} s")
        time.sleep(0.05)


def _get_call(r: Run, token: str, call: int) -> dict:
    return _ok(f"GET /api/v1/calls/{call}", *r.http("GET", f"/api/v1/calls/{call}", token=token))


def _listed(r: Run, token: str, tab: str) -> list[int]:
    body = _ok(f"GET /api/v1/calls?tab={tab}", *r.http("GET", f"/api/v1/calls?tab={tab}", token=token))
    return [item["id"] for item in body["items"]]


def _keys_scenario(r: Run, keys: str, name: str) -> Path:
    """trunk_keys.xml with the key presses written in, 0.8 s apart (run.py's way)."""
    steps = [f'<nop>\n    <action>\n      <exec play_pcap_audio="{pcap}"/>\n    </action>\n  </nop>'
             for pcap in rtp_tool.write_dtmf_pcaps(r.dir, keys, name)]
    out = r.dir / f"{name}.xml"
    out.write_text((SCENARIOS / "trunk_keys.xml").read_text().replace(
        "<!-- KEYS -->", '\n  <pause milliseconds="800"/>\n  '.join(steps)))
    return out


def _dial_refusals(r: Run, count: int, timeout: float = 3.0) -> list[dict[str, str]]:
    """The fields of the server's `dial_refused` security lines (docs/operations.md:
    `<time> SECURITY event=dial_refused ip=… org=… agent=… via=app|phone number=…
    reason=international`), once there are count of them."""
    field_re = re.compile(r'([\w.]+)=("(?:[^"\\]|\\.)*"|\S+)')
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for p in r.procs:
            if p.name.startswith("server"):
                for line in p.err.read_text(errors="replace").splitlines():
                    if re.match(r"^\S+ SECURITY event=dial_refused ", line):
                        found.append({k: v.strip('"') for k, v in field_re.findall(line.split(" ", 2)[2])})
        if len(found) >= count or time.monotonic() > deadline:
            if len(found) != count:
                raise Failure(f"{len(found)} `SECURITY event=dial_refused` lines in the server's log, expected {count}:"
                              f" {found}")
            return found
        time.sleep(0.05)


def _callbacks(r: Run, token: str, status: str) -> list[dict]:
    body = _ok(f"GET /api/v1/callbacks?status={status}",
               *r.http("GET", f"/api/v1/callbacks?status={status}", token=token))
    return body["items"]


# --- dialling (E1–E4, N6) ---------------------------------------------------------------

def t_app_dial(r: Run) -> None:
    """E1/E2: POST /api/v1/calls {"to": "010-1234-5678"} → 202 dialing; alice (on Break)
    is on_call at once; her registered phone rings first (From user = the number), she
    answers, then the trunk gets INVITE sip:01012345678@<outbound> from the org's number;
    the call is connected (GET /me/call), she hangs up; the record is outbound, customer
    01012345678, answered, recorded; alice in acw. from_call of no call: 404."""
    r.start_server()
    phone = r.phone("alice", "api_phone_answer_hangup.xml", pause_ms=2000)
    token = r.login("alice")  # after_login break: an agent on Break may dial
    carrier = _carrier(r)
    status, body = r.http("POST", "/api/v1/calls", {"to": TYPED}, token)
    if status != 202 or body.get("stage") != "dialing" or not isinstance(body.get("id"), int):
        raise Failure(f"POST /api/v1/calls {TYPED}: {status} {body}, expected 202 {{id, stage: dialing}}")
    call = body["id"]
    r.wait_state("alice", "on_call", timeout=1)  # E2: from the dial on, before anyone answered
    live = _wait_connected(r, token, call)
    _fields("GET /api/v1/me/call", live, direction="outbound", customer=NATIONAL, org_number=NUMBER)
    r.expect_exit(phone, 20)
    r.expect_exit(carrier, 15)
    uri, frm = _invite(phone)
    if _from_user(frm) != NATIONAL:
        raise Failure(f"alice's phone was rung with From {frm!r}, expected the number called, <sip:{NATIONAL}@…>")
    _check_trunk_invite(r, carrier, NATIONAL)
    [row] = r.wait_calls(1)
    r.expect_call(row, id=call, direction="outbound", agent="alice", result="answered", caller=NUMBER,
                  called=NATIONAL, ended_by="agent")
    got = _get_call(r, token, call)
    _fields(f"GET /api/v1/calls/{call}", got, direction="outbound", customer=NATIONAL, result="answered",
            org_number=NUMBER, callback=None, from_call=None, recording_url=f"/api/v1/calls/{call}/recording")
    if (got.get("agent") or {}).get("id") != "alice" or got.get("talk_ms", 0) <= 0:
        raise Failure(f"GET /api/v1/calls/{call}: agent {got.get('agent')}, talk_ms {got.get('talk_ms')}")
    if not row["recording"] or not Path(row["recording"]).exists():
        raise Failure(f"the outbound call has no recording file: {row['recording']!r}")
    if _listed(r, token, "mine") != [call]:
        raise Failure(f"alice's own outbound call is not the one call of tab=mine: {_listed(r, token, 'mine')}")
    r.wait_state("alice", "acw")
    # E4: from_call must name a call of the org; nothing is dialled otherwise.
    status, body = r.http("POST", "/api/v1/calls", {"to": TYPED, "from_call": 999999}, token)
    _problem("POST /api/v1/calls with from_call 999999", status, body, 404, "not-found")
    if len(r.calls()) != 1:
        raise Failure(f"a refused dial wrote a record: {r.calls()}")
    r.wait_state("alice", "acw")
    r.expect_idle()
    r.unregister_all()


def t_app_dial_ringback(r: Run) -> None:
    """E1: alice's phone answered the app's dial already, so it plays no ringback; while
    the number rings (the trunk sends 180 and answers 2.5 s later) the server plays the
    ringback tone to her (440 + 480 Hz, 1 s on, 2 s off), and the far end's audio once it
    answers."""
    r.start_server()
    ears = r.rtp_peer(AGENT_IP)  # what alice's phone hears
    phone = r.phone("alice", "api_phone_answer_hangup.xml", pause_ms=4500, rtp_port=ears.port)
    token = r.login("alice")
    carrier = r.sipp("carrier", "api_trunk_ring_answer.xml", TRUNK_IP, port=r.outbound_port,
                     keys={"user": "carrier", "rtp_port": str(r.rtp_sink(TRUNK_IP))}, extra=["-aa"],
                     pause_ms=2500)
    time.sleep(0.2)
    status, body = r.http("POST", "/api/v1/calls", {"to": TYPED}, token)
    if status != 202:
        raise Failure(f"POST /api/v1/calls {TYPED}: {status} {body}")
    r.expect_exit(phone, 20)
    r.expect_exit(carrier, 15)
    rang = carrier.times("sent", r"SIP/2\.0 180")
    answered = carrier.times("sent", r"SIP/2\.0 200")
    if not rang or not answered:
        raise Failure(f"the carrier sent 180 at {rang} and 200 at {answered}")
    # The first second of the cadence is the tone; the rest of the ring is silence.
    audio = ears.audio(rang[0] + 0.15, rang[0] + 0.85)
    share = rtp_tool.tone_share(audio, 440) + rtp_tool.tone_share(audio, 480)
    figures = f"{rtp_tool.describe(audio)}, share 440+480 Hz {share:.2f}"
    if len(audio) < 0.4 * rtp_tool.RATE or share < 0.8 or rtp_tool.rms(audio) < 300:
        raise Failure(f"alice must hear the ringback tone while the number rings: {figures}")
    quiet = ears.audio(rang[0] + 1.2, rang[0] + 1.9)
    if quiet and rtp_tool.rms(quiet) > 100:
        raise Failure(f"the ringback's pause must be silent: {rtp_tool.describe(quiet)}")
    r.log(f"ringback heard: {figures}")
    [row] = r.wait_calls(1)
    r.expect_call(row, direction="outbound", agent="alice", result="answered", called=NATIONAL)
    r.wait_state("alice", "acw")
    r.expect_idle()
    r.unregister_all()


def t_dial_international_refused(r: Run) -> None:
    """E3: international numbers (Acme's country code is 82) from the app → 403
    /problems/international-call with a clear detail and a security line each
    (`SECURITY event=dial_refused … via=app`, docs/operations.md); "abc" → 422
    /problems/invalid-number; nothing rings or is recorded, alice stays Ready. From her
    phone: international numbers → 403 after the digest (security lines via=phone),
    nothing reaches the trunk; "010-1234-5678" in the Request-URI reaches the trunk as
    01012345678."""
    r.start_server()
    phone = r.phone("alice", "agent_answer.xml")  # must never ring
    token = r.login("alice", ready=True)
    carrier = _carrier(r)  # takes the one domestic call at the end
    for to in INTERNATIONAL:
        status, body = r.http("POST", "/api/v1/calls", {"to": to}, token)
        _problem(f"POST /api/v1/calls {to!r}", status, body, 403, "international-call")
        if "International calls are not allowed" not in body.get("detail", ""):
            raise Failure(f"POST /api/v1/calls {to!r}: detail {body.get('detail')!r} does not say why")
    status, body = r.http("POST", "/api/v1/calls", {"to": "abc"}, token)
    _problem("POST /api/v1/calls 'abc'", status, body, 422, "invalid-number")
    lines = _dial_refusals(r, len(INTERNATIONAL))
    got = [(x.get("via"), x.get("org"), x.get("agent"), x.get("ip"), x.get("reason"), x.get("number")) for x in lines]
    if got != [("app", "Acme", "alice", "127.0.0.1", "international", to) for to in INTERNATIONAL]:
        raise Failure(f"security lines {got}, expected one per refused number (via app, Acme, alice, 127.0.0.1)")
    if r.state("alice") != "ready" or r.calls():
        raise Failure(f"a refused dial changed something: alice {r.state('alice')}, calls {r.calls()}")
    for i, number in enumerate(PHONE_INTERNATIONAL):
        p = _phone_dial(r, number, "api_phone_dial_refused.xml", f"phone-alice-refused-{i}")
        r.expect_exit(p, 15)
        if p.received_responses()[-1:] != [403]:
            raise Failure(f"alice's phone dialling {number} got {p.received_responses()}, expected 401 then 403")
    lines = _dial_refusals(r, len(INTERNATIONAL) + len(PHONE_INTERNATIONAL))
    phone_lines = [(x.get("via"), x.get("ip"), x.get("reason"), x.get("number")) for x in lines[len(INTERNATIONAL):]]
    if phone_lines != [("phone", AGENT_IP, "international", n) for n in PHONE_INTERNATIONAL]:
        raise Failure(f"security lines of the phone's dials: {phone_lines}")
    if carrier.received_requests("INVITE") or r.calls():
        raise Failure(f"a refused dial reached the trunk ({carrier.received_requests('INVITE')} INVITEs)"
                      f" or wrote a record: {r.calls()}")
    p = _phone_dial(r, TYPED, "api_phone_dial.xml", "phone-alice-domestic")
    r.expect_exit(p, 20)
    r.expect_exit(carrier, 15)
    _check_trunk_invite(r, carrier, NATIONAL)
    [row] = r.wait_calls(1)
    r.expect_call(row, direction="outbound", agent="alice", result="answered", called=NATIONAL, caller=NUMBER)
    r.expect_no_invite(phone)
    r.wait_state("alice", "acw")
    r.expect_idle()
    r.unregister_all()


def t_internal_call(r: Run) -> None:
    """N6: alice's phone dials "bob": bob's registered phone rings (From user alice) and
    answers; both are on_call during the call and in acw after; the record is internal,
    answered, and in neither tab=mine nor tab=all of either agent (I3)."""
    r.start_server()
    bob_phone = r.phone("bob", "agent_answer.xml", ip=OTHER_IP)
    alice = r.login("alice")  # Break
    bob = r.login("bob", ready=True)
    dialer = _phone_dial(r, "bob", "api_phone_dial.xml", "phone-alice-dial", talk_ms=2500)
    r.wait_state("alice", "on_call", timeout=5)
    r.wait_state("bob", "on_call", timeout=5)
    r.expect_exit(dialer, 20)
    r.expect_exit(bob_phone, 15)
    uri, frm = _invite(bob_phone)
    if _from_user(frm) != "alice":
        raise Failure(f"bob's phone was rung with From {frm!r}, expected <sip:alice@…>")
    [row] = r.wait_calls(1)
    r.expect_call(row, direction="internal", result="answered", agent="alice", caller="alice", called="bob",
                  domain=DOMAIN)
    r.wait_state("alice", "acw")
    r.wait_state("bob", "acw")
    for who, token in (("alice", alice), ("bob", bob)):
        for tab in ("mine", "all"):
            if row["id"] in (ids := _listed(r, token, tab)):
                raise Failure(f"the internal call {row['id']} is listed in tab={tab} for {who}: {ids}")
    r.expect_idle()
    r.unregister_all()


# --- callbacks (K1–K2) ------------------------------------------------------------------

def t_callback_dial_done_delete(r: Run) -> None:
    """K1–K2: two customers ask for a callback (* then 1 while waiting); both pending, each
    with the id of the call that asked; POST /callbacks/{first}/dial rings alice's phone
    (From the customer's number), then the trunk; the outbound record's callback and
    from_call are the first's id; still pending until alice's note (PUT note with a
    category) → done (done_by alice, done_call). DELETE of the second → 204, in neither
    list, 404 again and not dialable."""
    _start(r)
    phone = r.phone("alice", "api_phone_answer_hangup.xml", pause_ms=1500)
    token = r.login("alice")  # Break: the customers wait and ask for a callback
    _check_categories(r, token)
    for i in (1, 2):
        customer = r.customer(_keys_scenario(r, "*1", f"trunk_callback_{i}"), pause_ms=1500,
                              extra=r.media_args(TRUNK_IP), name=f"customer-{i}")
        r.expect_exit(customer, 20)
    asked = r.wait_calls(2)
    for row in asked:
        r.expect_call(row, result="callback", caller=CALLER, agent=None)
    first, second = (row["id"] for row in asked)
    pending = _callbacks(r, token, "pending")
    if [(cb["id"], cb["call"], cb["number"], cb["status"], cb["menu"]["digit"]) for cb in pending] != \
            [(first, first, CALLER, "pending", "1"), (second, second, CALLER, "pending", "1")]:
        raise Failure(f"pending callbacks {pending}, expected {first} and {second} (ids of the calls), {CALLER}")
    carrier = _carrier(r)
    status, body = r.http("POST", f"/api/v1/callbacks/{first}/dial", None, token)
    if status != 202 or body.get("stage") != "dialing" or not isinstance(body.get("id"), int):
        raise Failure(f"POST /api/v1/callbacks/{first}/dial: {status} {body}, expected 202 dialing")
    call = body["id"]
    r.wait_state("alice", "on_call", timeout=1)
    _wait_connected(r, token, call)
    r.expect_exit(phone, 20)
    r.expect_exit(carrier, 15)
    uri, frm = _invite(phone)
    if _from_user(frm) != CALLER:
        raise Failure(f"alice's phone was rung with From {frm!r}, expected <sip:{CALLER}@…>")
    _check_trunk_invite(r, carrier, CALLER)
    rows = r.wait_calls(3)
    r.expect_call(rows[2], id=call, direction="outbound", result="answered", agent="alice", called=CALLER)
    got = _get_call(r, token, call)
    _fields(f"GET /api/v1/calls/{call}", got, direction="outbound", customer=CALLER, result="answered",
            callback=first, from_call=first)
    if [cb["id"] for cb in _callbacks(r, token, "pending")] != [first, second] or _callbacks(r, token, "done"):
        raise Failure("the callback is done before anyone wrote the call's note")
    status, note = r.http("PUT", f"/api/v1/calls/{call}/note", {"category": CATEGORIES[0], "text": "Called back."},
                          token)
    _ok(f"PUT /api/v1/calls/{call}/note", status, note)
    if [cb["id"] for cb in _callbacks(r, token, "pending")] != [second]:
        raise Failure(f"pending after the note: {_callbacks(r, token, 'pending')}, expected only {second}")
    done = _callbacks(r, token, "done")
    if len(done) != 1:
        raise Failure(f"done callbacks {done}, expected {first}")
    _fields("the done callback", done[0], id=first, status="done", done_call=call, number=CALLER)
    if (done[0].get("done_by") or {}).get("id") != "alice" or not done[0].get("done_at"):
        raise Failure(f"the done callback: done_by {done[0].get('done_by')}, done_at {done[0].get('done_at')}")
    status, body = r.http("DELETE", f"/api/v1/callbacks/{second}", None, token)
    if status != 204:
        raise Failure(f"DELETE /api/v1/callbacks/{second}: {status} {body}, expected 204")
    if _callbacks(r, token, "pending") or [cb["id"] for cb in _callbacks(r, token, "done")] != [first]:
        raise Failure(f"after the delete: pending {_callbacks(r, token, 'pending')},"
                      f" done {_callbacks(r, token, 'done')}, expected none and [{first}]")
    _problem(f"DELETE /api/v1/callbacks/{second} again", *r.http("DELETE", f"/api/v1/callbacks/{second}", None, token),
             404, "not-found")
    _problem(f"POST /api/v1/callbacks/{second}/dial (deleted)",
             *r.http("POST", f"/api/v1/callbacks/{second}/dial", None, token), 404, "not-found")
    [kept] = r.db("SELECT b.deleted, a.agent_id AS deleted_by FROM callbacks b LEFT JOIN agents a"
                  " ON a.key = b.deleted_by WHERE b.id = ?", (second,))
    if kept["deleted"] is None or kept["deleted_by"] != "alice":
        raise Failure(f"the deleted callback is not kept for the record: {kept}")
    if len(r.calls()) != 3:
        raise Failure(f"a refused dial wrote a record: {r.calls()}")
    r.wait_state("alice", "acw")
    r.expect_idle()
    r.unregister_all()


# --- notes (G1–G5, D2) ------------------------------------------------------------------

def t_note_limits_and_atomic_state(r: Run) -> None:
    """G1–G5: alice answers a customer; after it, her note of 1024 Korean characters is
    saved (200), 1025 and an unknown category are refused (422) and leave it unchanged;
    bob, who did not take the call, gets 403 /problems/not-your-call. G3: PUT /me/state
    ready with a refused note (1025 characters, unknown category) → 422, alice stays in
    acw, the note is unchanged; with a good one → 200, ready and the note replaced. D2: a
    second call from the same number lists the first with its note in earlier_contacts."""
    _start(r)
    phone = r.phone("alice", "agent_answer.xml", calls=2)
    alice = r.login("alice", ready=True)
    bob = r.login("bob")  # Break: never offered a call
    _check_categories(r, alice)
    first = r.customer("trunk_call.xml", pause_ms=2000, name="customer-1")
    r.expect_exit(first, 20)
    [row] = r.wait_calls(1)
    r.expect_call(row, result="answered", agent="alice", caller=CALLER)
    call = row["id"]
    r.wait_state("alice", "acw")
    path = f"/api/v1/calls/{call}/note"

    def stored() -> tuple[dict | None, int]:
        got = _get_call(r, alice, call)
        return got.get("note"), len(got.get("notes") or [])

    text = "가" * 1024
    note = _ok(f"PUT {path} (1024 characters)", *r.http("PUT", path, {"category": CATEGORIES[2], "text": text}, alice))
    _fields("the saved note", note, text=text, category=CATEGORIES[2], editable=True)
    if (note.get("author") or {}).get("id") != "alice":
        raise Failure(f"the note's author is {note.get('author')}, expected alice")
    saved = stored()
    if not saved[0] or saved[0].get("text") != text or saved[1] != 1:
        raise Failure(f"GET /api/v1/calls/{call} after the note: note {saved[0]}, {saved[1]} notes")
    refusals = [("1025 characters", alice, {"category": CATEGORIES[0], "text": "가" * 1025}, 422, "invalid-input"),
                ("an unknown category", alice, {"category": "Nope", "text": "short"}, 422, "invalid-input"),
                ("bob, who did not take the call", bob, {"category": CATEGORIES[0], "text": "mine"}, 403,
                 "not-your-call")]
    for what, token, body, code, slug in refusals:
        status, answer = r.http("PUT", path, body, token)
        _problem(f"PUT {path} with {what}", status, answer, code, slug)
        if stored() != saved:
            raise Failure(f"PUT {path} with {what} was refused but the note changed: {stored()}, was {saved}")
    # G3: the note is saved with the state change or not at all.
    for what, note_in in (("1025 characters", {"category": CATEGORIES[0], "text": "나" * 1025}),
                          ("an unknown category", {"category": "Nope", "text": "short"})):
        status, answer = r.http("PUT", "/api/v1/me/state", {"state": "ready", "note": {"call": call, **note_in}},
                                alice)
        _problem(f"PUT /api/v1/me/state ready with a note of {what}", status, answer, 422, "invalid-input")
        if r.state("alice") != "acw" or stored() != saved:
            raise Failure(f"a refused note with the state changed something: alice {r.state('alice')},"
                          f" note {stored()}, was {saved}")
    text2 = "다" * 500 + "\n" + "라" * 523
    status, answer = r.http("PUT", "/api/v1/me/state",
                            {"state": "ready", "note": {"call": call, "category": CATEGORIES[1], "text": text2}}, alice)
    if status != 200 or answer.get("state") != "ready":
        raise Failure(f"PUT /api/v1/me/state ready with a good note: {status} {answer}")
    note2, count = stored()
    if not note2 or (note2.get("text"), note2.get("category"), count) != (text2, CATEGORIES[1], 1) \
            or note2.get("created_at") != saved[0]["created_at"]:
        raise Failure(f"the note saved with the state: {note2}, {count} notes; expected the note replaced,"
                      f" created_at kept ({saved[0]['created_at']})")
    r.wait_state("alice", "ready")
    second = r.customer("trunk_call.xml", pause_ms=2000, name="customer-2")
    r.expect_exit(second, 20)
    r.expect_exit(phone, 15)
    rows = r.wait_calls(2)
    r.expect_call(rows[1], result="answered", agent="alice", caller=CALLER)
    detail = _get_call(r, alice, rows[1]["id"])
    earlier = detail.get("earlier_contacts") or []
    if [e.get("id") for e in earlier] != [call] or (earlier[0].get("note") or {}).get("text") != text2:
        raise Failure(f"earlier_contacts of call {rows[1]['id']}: {earlier}, expected call {call} with its note")
    if _get_call(r, alice, call).get("earlier_contacts") != []:
        raise Failure(f"the first call from {CALLER} has earlier contacts: {_get_call(r, alice, call)}")
    r.expect_idle()
    r.unregister_all()


# --- recordings (I4) --------------------------------------------------------------------

def t_recording_range(r: Run) -> None:
    """I4: the recording of alice's answered call: 200 audio/wav with the file's bytes;
    Range bytes=0-99 → 206, Content-Range bytes 0-99/<size>, 100 bytes starting RIFF;
    bytes=-100 → the last 100; bytes=999999999- → 416 with bytes */<size>; each request
    a recording_access row (agent, call, range); Globex's alice → 404, no row."""
    r.start_server()
    phone = r.phone("alice", "agent_answer.xml")
    token = r.login("alice", ready=True)
    other = r.login("alice", domain=GLOBEX)
    customer = r.customer("trunk_call.xml", pause_ms=2500)
    r.expect_exit(customer, 20)
    r.expect_exit(phone, 15)
    [row] = r.wait_calls(1)
    r.expect_call(row, result="answered", agent="alice")
    call = row["id"]
    r.wait_log("recording done", timeout=5)
    path = Path(row["recording"] or "/nonexistent")
    if not path.exists():
        raise Failure(f"call {call} has no recording file: {row['recording']!r}")
    data = path.read_bytes()
    size = len(data)
    url = f"/api/v1/calls/{call}/recording"
    if _get_call(r, token, call).get("recording_url") != url:
        raise Failure(f"GET /api/v1/calls/{call}: recording_url is not {url}")
    status, headers, body = _raw(r, url, token)
    if status != 200 or not headers.get("content-type", "").startswith("audio/wav") or body != data:
        raise Failure(f"GET {url}: {status} {headers.get('content-type')}, {len(body)} bytes"
                      f" {'equal to' if body == data else 'unlike'} the file's {size}; expected 200 audio/wav")
    if "no-store" not in headers.get("cache-control", ""):
        raise Failure(f"GET {url}: Cache-Control {headers.get('cache-control')!r}, expected private, no-store")
    status, headers, body = _raw(r, url, token, {"Range": "bytes=0-99"})
    if status != 206 or headers.get("content-range") != f"bytes 0-99/{size}" or body != data[:100] \
            or not body.startswith(b"RIFF"):
        raise Failure(f"GET {url} bytes=0-99: {status} Content-Range {headers.get('content-range')!r},"
                      f" {len(body)} bytes {body[:8]!r}; expected 206 bytes 0-99/{size}, RIFF…")
    status, headers, body = _raw(r, url, token, {"Range": "bytes=-100"})
    if status != 206 or headers.get("content-range") != f"bytes {size - 100}-{size - 1}/{size}" or body != data[-100:]:
        raise Failure(f"GET {url} bytes=-100: {status} Content-Range {headers.get('content-range')!r},"
                      f" {len(body)} bytes")
    status, headers, body = _raw(r, url, token, {"Range": "bytes=999999999-"})
    if status != 416 or headers.get("content-range") != f"bytes */{size}":
        raise Failure(f"GET {url} bytes=999999999-: {status} Content-Range {headers.get('content-range')!r},"
                      f" expected 416 bytes */{size}")
    status, headers, body = _raw(r, url, other)
    if status != 404:
        raise Failure(f"Globex's alice read Acme's recording: {status} {len(body)} bytes")
    access = r.db("SELECT x.call_id, x.byte_range, x.client_ip, a.agent_id, o.domain FROM recording_access x"
                  " JOIN agents a ON a.key = x.agent_key JOIN orgs o ON o.id = a.org_id ORDER BY x.id")
    got = [(x["call_id"], x["agent_id"], x["domain"], x["byte_range"]) for x in access]
    expected = [(call, "alice", DOMAIN, rng) for rng in ("", "bytes=0-99", "bytes=-100", "bytes=999999999-")]
    if got != expected or any(x["client_ip"] != "127.0.0.1" for x in access):
        raise Failure(f"recording_access rows {access}, expected {expected} from 127.0.0.1")
    r.expect_idle()
    r.unregister_all()


__all__ = [name for name in list(globals()) if name.startswith("t_")]
