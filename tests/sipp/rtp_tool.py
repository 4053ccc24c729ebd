#!/usr/bin/env python3
"""RTP for the media tests (run.py), stdlib only: G.711 tones in the raw form sipp's
rtp_stream plays, a UDP peer that records every RTP packet it receives (and can send a
tone back), and the analysis the tests assert on (Goertzel powers, RFC 4733 events,
WAV headers).

sipp 3.6 cannot save the RTP it receives, hence RtpPeer: a test names its port in a
sipp scenario's SDP (-key rtp_port N), so the server sends that leg's audio here.

    rtp_tool.py tone 1000 2 out.ulaw [--alaw]      # a raw G.711 tone file for rtp_stream
    rtp_tool.py wav FILE.wav                       # header check and tone powers per channel
"""
from __future__ import annotations

import argparse
import math
import socket
import struct
import sys
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path

RATE = 8000
FRAME = 160  # samples in 20 ms, one RTP packet
PCMU, PCMA, EVENT = 0, 8, 101

# --- G.711 (ITU-T G.711, the classic Sun reference algorithm) --------------------------

_ULAW_BIAS = 0x84


def _ulaw_encode(s: int) -> int:
    s >>= 2  # 14 bits
    if s < 0:
        mask, s = 0x7F, -s
    else:
        mask = 0xFF
    s = min(s, 8159) + (_ULAW_BIAS >> 2)
    seg = max(0, s.bit_length() - 6)
    if seg >= 8:
        return 0x7F ^ mask
    return ((seg << 4) | ((s >> (seg + 1)) & 0x0F)) ^ mask


def _ulaw_decode(u: int) -> int:
    u = ~u & 0xFF
    exp, mant = (u >> 4) & 7, u & 0x0F
    s = (((mant << 3) + _ULAW_BIAS) << exp) - _ULAW_BIAS
    return -s if u & 0x80 else s


def _alaw_encode(s: int) -> int:
    s >>= 3  # 13 bits
    if s >= 0:
        mask = 0xD5
    else:
        mask, s = 0x55, -s - 1
    seg = max(0, s.bit_length() - 5)
    if seg >= 8:
        return 0x7F ^ mask
    aval = seg << 4
    aval |= (s >> 1 if seg < 2 else s >> seg) & 0x0F
    return aval ^ mask


def _alaw_decode(a: int) -> int:
    a ^= 0x55
    t = (a & 0x0F) << 4
    seg = (a & 0x70) >> 4
    if seg == 0:
        t += 8
    else:
        t = (t + 0x108) << (seg - 1)
    return t if a & 0x80 else -t


ULAW_TABLE = [_ulaw_decode(i) for i in range(256)]
ALAW_TABLE = [_alaw_decode(i) for i in range(256)]


def encode(samples: list[int], pt: int) -> bytes:
    enc = _ulaw_encode if pt == PCMU else _alaw_encode
    return bytes(enc(max(-32768, min(32767, s))) for s in samples)


def decode(payload: bytes, pt: int) -> list[int]:
    table = ULAW_TABLE if pt == PCMU else ALAW_TABLE
    return [table[b] for b in payload]


def tone(freq: float, seconds: float, amplitude: int = 10000) -> list[int]:
    n = int(seconds * RATE)
    return [int(round(amplitude * math.sin(2 * math.pi * freq * i / RATE))) for i in range(n)]


def write_tone_file(path: Path, freq: float, pt: int = PCMU, seconds: float = 1.0) -> Path:
    """Raw G.711 bytes, no header: what sipp 3.6's rtp_stream="file,loops,pt" plays, 160
    bytes (20 ms) a packet from the start of the file. One second holds a whole number
    of periods of 1 and 2 kHz, so looping it (loops -1) has no click."""
    path.write_bytes(encode(tone(freq, seconds), pt))
    return path


def write_wav(path: Path, samples: list[int], rate: int = RATE) -> Path:
    """A mono 16-bit WAV (e.g. a short prompt for <data-dir>/prompts/<domain>/)."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path


def tone_sequence(samples: list[int], freqs: list[float], block: int = 400, share: float = 0.6) -> list[float]:
    """The tones of freqs heard one after another in samples: per block (50 ms), the freq
    holding more than share of the block's energy (if any); runs of the same freq
    collapsed into one entry."""
    out: list[float] = []
    for i in range(0, len(samples) - block + 1, block):
        chunk = samples[i:i + block]
        energy = sum(s * s for s in chunk) * block / 2
        if energy <= 0:
            continue
        best = max(freqs, key=lambda f: goertzel(chunk, f))
        if goertzel(chunk, best) > share * energy and (not out or out[-1] != best):
            out.append(best)
    return out


DTMF_CAPTURES = Path("/usr/share/sip-tester")
DTMF_NAMES = {"*": "star", "#": "pound"}


def write_dtmf_pcaps(folder: Path, keys: str, stem: str = "key") -> list[Path]:
    """One capture per key for sipp's play_pcap_audio, made from sipp's own
    dtmf_2833_<key>.pcap with the RTP sequence numbers and timestamps rewritten to rise
    from one key to the next (the stock captures come from one recorded stream in the
    order 1 5 9 * #, so * then 1 would go backwards and a receiver may drop the 1 as
    old). The UDP checksum is cleared (0: none), since the header changed."""
    out = []
    for i, key in enumerate(keys):
        raw = bytearray((DTMF_CAPTURES / f"dtmf_2833_{DTMF_NAMES.get(key, key)}.pcap").read_bytes())
        off, first_seq = 24, None
        while off + 16 <= len(raw):
            incl = struct.unpack_from("<I", raw, off + 8)[0]
            pkt = off + 16
            rtp = pkt + incl - 16  # 12 bytes of RTP header + 4 of the event
            seq = struct.unpack_from("!H", raw, rtp + 2)[0]
            first_seq = seq if first_seq is None else first_seq
            struct.pack_into("!HI", raw, rtp + 2, (1000 + 20 * i + seq - first_seq) & 0xFFFF, 16000 * (i + 1))
            struct.pack_into("!H", raw, rtp - 2, 0)  # the UDP checksum
            off = pkt + incl
        path = folder / f"{stem}-{i}-{DTMF_NAMES.get(key, key)}.pcap"
        path.write_bytes(bytes(raw))
        out.append(path)
    return out


# --- analysis ----------------------------------------------------------------------------

def goertzel(samples: list[int], freq: float, rate: int = RATE) -> float:
    """|X(f)|^2 of the samples at freq."""
    c = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for v in samples:
        s1, s2 = v + c * s1 - s2, s1
    return s1 * s1 + s2 * s2 - c * s1 * s2


def tone_share(samples: list[int], freq: float, block: int = 800) -> float:
    """The share of the signal's energy at freq (±5 Hz for 100 ms blocks): about 1 for a
    pure tone at freq, about 0 for anything else, 0 for silence."""
    num = den = 0.0
    for i in range(0, len(samples) - block + 1, block):
        b = samples[i:i + block]
        energy = sum(v * v for v in b)
        if energy:
            num += 2 * goertzel(b, freq) / block
            den += energy
    return num / den if den else 0.0


def rms(samples: list[int]) -> float:
    return math.sqrt(sum(v * v for v in samples) / len(samples)) if samples else 0.0


def powers(samples: list[int], freqs: tuple[float, ...] = (1000, 2000)) -> dict[float, float]:
    return {f: goertzel(samples, f) for f in freqs}


def dominant(samples: list[int], low: int = 100, high: int = 3900, step: int = 20) -> int:
    """The strongest frequency on a coarse grid (for messages and the report)."""
    part = samples[:4000]
    return max(range(low, high, step), key=lambda f: goertzel(part, f)) if part else 0


def describe(samples: list[int]) -> str:
    if not samples:
        return "no audio"
    p = powers(samples)
    return (f"{len(samples) / RATE:.2f} s, rms {rms(samples):.0f}, strongest ~{dominant(samples)} Hz,"
            f" share 1 kHz {tone_share(samples, 1000):.2f}, 2 kHz {tone_share(samples, 2000):.2f},"
            f" P(1k)/P(2k) {p[1000] / max(p[2000], 1e-9):.3g}")


# --- WAV recordings ----------------------------------------------------------------------

@dataclass
class WavHeader:
    file_size: int
    riff_size: int
    data_offset: int  # where the samples start
    data_size: int
    channels: int
    rate: int
    bits: int

    def problems(self) -> list[str]:
        """What is wrong with the sizes of a finished (or repaired) recording."""
        out = []
        if self.riff_size != self.file_size - 8:
            out.append(f"RIFF size {self.riff_size} != file size {self.file_size} - 8")
        if self.data_size != self.file_size - self.data_offset:
            out.append(f"data size {self.data_size} != file size {self.file_size} - {self.data_offset}")
        if self.data_offset != 44:
            out.append(f"the samples start at {self.data_offset}, not 44")
        frame = self.channels * self.bits // 8
        if frame and self.data_size % frame:
            out.append(f"data size {self.data_size} is not a whole number of {frame}-byte frames")
        return out


def wav_header(path: Path) -> WavHeader:
    data = path.read_bytes()
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"{path.name}: not a RIFF/WAVE file ({data[:12]!r})")
    riff_size = struct.unpack_from("<I", data, 4)[0]
    off, fmt = 12, None
    while off + 8 <= len(data):
        cid, size = data[off:off + 4], struct.unpack_from("<I", data, off + 4)[0]
        if cid == b"fmt ":
            _, ch, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, off + 8)
            fmt = (ch, rate, bits)
        elif cid == b"data":
            if not fmt:
                raise ValueError(f"{path.name}: data chunk before fmt")
            return WavHeader(len(data), riff_size, off + 8, size, *fmt)
        off += 8 + size + (size & 1)
    raise ValueError(f"{path.name}: no fmt/data chunk")


def read_stereo(path: Path) -> tuple[list[int], list[int]]:
    """(left, right) samples of a 16-bit stereo WAV, read with the wave module."""
    with wave.open(str(path), "rb") as w:
        if w.getnchannels() != 2 or w.getsampwidth() != 2:
            raise ValueError(f"{path.name}: {w.getnchannels()} channels of {8 * w.getsampwidth()} bits,"
                             " expected 2 of 16")
        raw = w.readframes(w.getnframes())
    n = len(raw) // 4
    pcm = struct.unpack(f"<{2 * n}h", raw[:4 * n])
    return list(pcm[0::2]), list(pcm[1::2])


def middle(samples: list[int], trim: float = 0.5) -> list[int]:
    """The samples without trim seconds at each end (call set-up and tear-down)."""
    cut = int(trim * RATE)
    return samples[cut:len(samples) - cut] if len(samples) > 2 * cut + RATE // 2 else samples


# --- RTP ---------------------------------------------------------------------------------

@dataclass
class Packet:
    arrival: float  # time.time() when received
    source: tuple[str, int]
    pt: int
    marker: bool
    seq: int
    ts: int
    ssrc: int
    payload: bytes


def parse_rtp(data: bytes, arrival: float, source: tuple[str, int]) -> Packet | None:
    if len(data) < 12 or data[0] >> 6 != 2:
        return None
    cc = data[0] & 0x0F
    off = 12 + 4 * cc
    if data[0] & 0x10:  # header extension
        if len(data) < off + 4:
            return None
        off += 4 + 4 * struct.unpack_from(">H", data, off + 2)[0]
    end = len(data) - (data[-1] if data[0] & 0x20 else 0)
    seq, ts, ssrc = struct.unpack_from(">HII", data, 2)
    return Packet(arrival, source, data[1] & 0x7F, bool(data[1] & 0x80), seq, ts, ssrc, data[off:end])


def rtp_packet(pt: int, seq: int, ts: int, ssrc: int, payload: bytes, marker: bool = False) -> bytes:
    return struct.pack(">BBHII", 0x80, pt | (0x80 if marker else 0), seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


class RtpPeer:
    """A UDP port on ip that records every packet it receives with its arrival time and,
    once told to, sends a G.711 tone in 20 ms packets, to a given address or else back to
    wherever the first packet came from (symmetric RTP, as a phone behind NAT)."""

    def __init__(self, ip: str, port: int = 0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((ip, port))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.packets: list[Packet] = []
        self.other: list[tuple[float, bytes]] = []  # datagrams that are not RTP
        self.sent = 0
        self._stop = threading.Event()
        self._first = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._receive, daemon=True)]
        self._threads[0].start()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                data, source = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            now = time.time()
            p = parse_rtp(data, now, source)
            with self._lock:
                if p:
                    self.packets.append(p)
                    self._first.set()
                else:
                    self.other.append((now, data))

    def send_tone(self, freq: float, pt: int = PCMU, to: tuple[str, int] | None = None,
                  amplitude: int = 10000) -> None:
        payload = encode(tone(freq, 1.0, amplitude), pt)
        t = threading.Thread(target=self._send, args=(payload, pt, to), daemon=True)
        self._threads.append(t)
        t.start()

    def _send(self, audio: bytes, pt: int, to: tuple[str, int] | None) -> None:
        while to is None and not self._stop.is_set():
            if self._first.wait(0.05):
                to = self.packets[0].source
        seq, ts, ssrc = 1000, 160000, 0x5B0A5B0A
        start = time.monotonic()
        n = 0
        while not self._stop.is_set():
            off = (n * FRAME) % len(audio)
            try:
                self.sock.sendto(rtp_packet(pt, seq + n, ts + n * FRAME, ssrc, audio[off:off + FRAME], n == 0), to)
                self.sent += 1
            except OSError:
                pass  # the far end is gone (ICMP port unreachable): keep the pace, keep trying
            n += 1
            delay = start + n * 0.020 - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=2)
        self.sock.close()

    def received(self, t0: float = 0.0, t1: float = float("inf"), pt: int | None = None) -> list[Packet]:
        with self._lock:
            return [p for p in self.packets if t0 <= p.arrival <= t1 and (pt is None or p.pt == pt)]

    def audio(self, t0: float = 0.0, t1: float = float("inf")) -> list[int]:
        """The G.711 audio received between t0 and t1 (arrival times), decoded."""
        out: list[int] = []
        for p in self.received(t0, t1):
            if p.pt in (PCMU, PCMA):
                out.extend(decode(p.payload, p.pt))
        return out


def dtmf_events(packets: list[Packet], pt: int = EVENT) -> list[str]:
    """RFC 4733 key presses in order, one per event (by RTP timestamp), as digits."""
    keys = "0123456789*#ABCD"
    out, seen = [], set()
    for p in packets:
        if p.pt != pt or len(p.payload) < 4 or (p.ssrc, p.ts) in seen:
            continue
        seen.add((p.ssrc, p.ts))
        out.append(keys[p.payload[0]] if p.payload[0] < 16 else f"event{p.payload[0]}")
    return out


# --- command line ------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tone", help="write a raw G.711 tone file for sipp's rtp_stream")
    t.add_argument("freq", type=float)
    t.add_argument("seconds", type=float)
    t.add_argument("out", type=Path)
    t.add_argument("--alaw", action="store_true")
    w = sub.add_parser("wav", help="check a recording's header and tones")
    w.add_argument("files", type=Path, nargs="+")
    args = ap.parse_args()
    if args.cmd == "tone":
        write_tone_file(args.out, args.freq, PCMA if args.alaw else PCMU, args.seconds)
        return 0
    bad = 0
    for f in args.files:
        h = wav_header(f)
        left, right = read_stereo(f)
        print(f"{f}: {h.channels} ch {h.rate} Hz {h.bits} bit, {len(left) / RATE:.2f} s,"
              f" header {'ok' if not h.problems() else '; '.join(h.problems())}")
        print(f"  left:  {describe(middle(left))}\n  right: {describe(middle(right))}")
        bad += bool(h.problems())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
