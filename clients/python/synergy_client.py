"""A client for synergy-stream in Python: send a network's snapshots to
``synergy serve`` and read the analysis back.

Standard library and numpy only (no WebSocket package): a minimal RFC 6455
client over ``socket`` (client handshake, masked frames, text and binary,
fragmented incoming messages, ping answered with pong, the closing
handshake), the binary snapshot frame ``SSNP`` (docs/PROTOCOL.md and
src/snapshots/binarySnapshotFrame.ts in the repository), and two entry
points:

- ``SnapshotSender(url, source, token=None)``: pushes snapshots to
  ``ws://HOST:PORT/ingest``: ``send(step, activations, labels)`` sends one
  binary frame per snapshot, ``end()`` ends the source. Also a context
  manager (``end()`` on a clean exit, a plain close on an exception).
- ``subscribe(url, topics=("synergy", "alerts"))``: a generator of the JSON
  messages of ``ws://HOST:PORT/subscribe`` (welcome, subscribed, then
  updates and alerts, until the server closes or the stream ends);
  ``updates(url)``: the updates alone.
- ``read_updates(path)``, ``read_update_table``, ``read_groups``,
  ``read_alerts``: the JSONL files of ``--out`` and ``--alerts-out`` as
  pandas DataFrames (pandas is imported by these functions only).

Example::

    import numpy as np
    from synergy_client import SnapshotSender
    with SnapshotSender("ws://127.0.0.1:7700", "mlp-run-3") as sender:
        for step in range(0, 10000, 500):
            sender.send(step, activations, labels)   # (samples, neurons), (samples,)
"""

import base64
import gzip
import hashlib
import json
import os
import re
import select
import socket
import ssl
import struct
import warnings
from urllib.parse import urlsplit

import numpy as np

__all__ = [
    "SnapshotSender",
    "subscribe",
    "updates",
    "read_updates",
    "read_update_table",
    "read_groups",
    "read_alerts",
    "ReadError",
    "decode_matrix_frame",
    "encode_snapshot_frame",
    "WebSocket",
    "WebSocketError",
    "HandshakeError",
    "ConnectionClosed",
    "ServerError",
]

PROTOCOL = 1

# The binary snapshot frame (little-endian): magic, version, dtype, reserved,
# seq (float64), step (float64), rows (uint32), cols (uint32), then the labels
# (int32 × rows) and, from the next multiple of 8, the values.
SNAPSHOT_MAGIC = b"SSNP"
SNAPSHOT_VERSION = 1
DTYPE_FLOAT32 = 0
DTYPE_FLOAT64 = 1
HEADER = struct.Struct("<4sBBHddII")  # 32 bytes
UNLABELED = -1

_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class WebSocketError(Exception):
    """The WebSocket connection broke the protocol, or could not be made."""


class HandshakeError(WebSocketError):
    """The server refused the upgrade; ``status`` is its HTTP status and ``body`` its one-line reason."""

    def __init__(self, status, reason, body):
        self.status = status
        self.reason = reason
        self.body = body
        super().__init__("HTTP %d %s: %s" % (status, reason, body.strip() or "(no body)"))


class ConnectionClosed(WebSocketError):
    """The peer closed the connection; ``code`` and ``reason`` are what it said (code None if it said nothing)."""

    def __init__(self, code=None, reason=""):
        self.code = code
        self.reason = reason
        super().__init__("connection closed" + ("" if code is None else " (%d%s)" % (code, ", " + reason if reason else "")))


class ServerError(Exception):
    """The analyzer refused a message: ``message`` is its error frame (``code``, ``message``, maybe ``seq``)."""

    def __init__(self, message):
        self.message = message
        self.code = message.get("code")
        super().__init__("%s: %s" % (message.get("code"), message.get("message")))


def encode_snapshot_frame(seq, step, activations, labels, dtype=np.float32):
    """One binary snapshot frame (bytes).

    ``activations``: array-like of shape (samples, neurons), finite; sent as
    ``dtype`` (float32 by default, or float64) in C order. ``labels``: one
    integer class code per sample, ``-1`` for unlabeled (the analyzer names
    a class by its code's decimal text). ``seq``: a whole number >= 0;
    ``step``: a finite number. Raises ValueError for anything the analyzer
    would refuse.
    """
    values = np.ascontiguousarray(activations, dtype=dtype)
    if values.ndim != 2:
        raise ValueError("activations must be 2-D (samples, neurons), got shape %r" % (values.shape,))
    rows, cols = values.shape
    if rows < 1 or cols < 1:
        raise ValueError("activations of shape %r: a snapshot needs at least one sample and one neuron" % (values.shape,))
    if not np.all(np.isfinite(values)):
        bad = np.argwhere(~np.isfinite(values))[0]
        raise ValueError("activations[%d, %d] is %r; every value must be finite" % (bad[0], bad[1], values[bad[0], bad[1]]))
    codes = np.asarray(labels)
    if codes.ndim != 1 or codes.shape[0] != rows:
        raise ValueError("labels must be 1-D with one code per sample (%d), got shape %r" % (rows, codes.shape))
    if codes.size and not np.issubdtype(codes.dtype, np.integer):
        if not np.all(np.isfinite(codes)) or not np.all(codes == np.round(codes)):
            raise ValueError("labels must be integer class codes (-1 = unlabeled), got dtype %s" % codes.dtype)
    if codes.size and (codes.min() < UNLABELED or codes.max() > 2**31 - 1):
        raise ValueError("labels must be class codes from 0 to 2^31 - 1, or -1 for unlabeled; got %d to %d" % (codes.min(), codes.max()))
    codes = codes.astype("<i4")
    if int(seq) != seq or seq < 0 or seq > 2**53 - 1:
        raise ValueError("seq %r must be a whole number >= 0" % (seq,))
    step = float(step)
    if not np.isfinite(step):
        raise ValueError("step %r must be finite" % (step,))
    is_float32 = values.dtype == np.float32
    if not is_float32 and values.dtype != np.float64:
        raise ValueError("dtype must be float32 or float64")
    header = HEADER.pack(SNAPSHOT_MAGIC, SNAPSHOT_VERSION, DTYPE_FLOAT32 if is_float32 else DTYPE_FLOAT64, 0, float(seq), step, rows, cols)
    padding = b"\0" * (-(HEADER.size + 4 * rows) % 8)
    return b"".join((header, codes.tobytes(), padding, values.astype(values.dtype.newbyteorder("<"), copy=False).tobytes()))


def _mask(payload, key):
    """The payload XOR the 4-byte mask key, repeated (numpy does it a word at a time)."""
    if not payload:
        return b""
    data = np.frombuffer(payload, dtype=np.uint8)
    keys = np.resize(np.frombuffer(key, dtype=np.uint8), data.size)
    return np.bitwise_xor(data, keys).tobytes()


class WebSocket:
    """A WebSocket client connection (RFC 6455) over a blocking socket.

    ``WebSocket(url, headers=None, timeout=10)`` connects and completes the
    handshake (``ws://`` or ``wss://``). ``send_text``/``send_binary`` send
    one masked frame each; ``recv()`` returns the next whole message as
    ``str`` (text) or ``bytes`` (binary), joining fragments and answering
    pings on the way, and raises ConnectionClosed when the peer closes.
    """

    def __init__(self, url, headers=None, timeout=10.0):
        parts = urlsplit(url)
        if parts.scheme not in ("ws", "wss"):
            raise WebSocketError("url %r: expected ws://HOST:PORT/PATH or wss://…" % url)
        host = parts.hostname or "127.0.0.1"
        port = parts.port or (443 if parts.scheme == "wss" else 80)
        path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        self._buffer = bytearray()
        self.closed = False
        self.close_code = None
        sock = socket.create_connection((host, port), timeout=timeout)
        if parts.scheme == "wss":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        self.sock = sock
        try:
            self._handshake(host if parts.port is None else "%s:%d" % (host, port), path, headers or {})
        except BaseException:
            sock.close()
            raise

    def _handshake(self, host, path, headers):
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        lines = [
            "GET %s HTTP/1.1" % path,
            "Host: %s" % host,
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: %s" % key,
            "Sec-WebSocket-Version: 13",
        ]
        lines += ["%s: %s" % (name, value) for name, value in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        while b"\r\n\r\n" not in self._buffer:
            if len(self._buffer) > 65536:
                raise WebSocketError("handshake: the answer's headers are longer than 64 KiB")
            self._fill()
        head, _, rest = bytes(self._buffer).partition(b"\r\n\r\n")
        self._buffer = bytearray(rest)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        fields = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        try:
            _, status, *reason = status_line.split(" ", 2)
            status = int(status)
        except ValueError:
            raise WebSocketError("handshake: not an HTTP answer: %r" % status_line)
        if status != 101:
            body = bytes(self._buffer)
            length = int(fields.get("content-length", "0") or 0)
            try:
                while len(body) < length:
                    chunk = self.sock.recv(4096)
                    if not chunk:
                        break
                    body += chunk
            except OSError:
                pass
            raise HandshakeError(status, reason[0] if reason else "", body.decode("utf-8", "replace"))
        expected = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode("ascii")).digest()).decode("ascii")
        if fields.get("sec-websocket-accept") != expected:
            raise WebSocketError("handshake: Sec-WebSocket-Accept %r does not answer our key" % fields.get("sec-websocket-accept"))

    # Sending

    def _send_frame(self, opcode, payload, fin=True):
        header = bytearray([(0x80 if fin else 0) | opcode])
        n = len(payload)
        if n < 126:
            header.append(0x80 | n)
        elif n < 65536:
            header.append(0x80 | 126)
            header += struct.pack(">H", n)
        else:
            header.append(0x80 | 127)
            header += struct.pack(">Q", n)
        key = os.urandom(4)
        self.sock.sendall(bytes(header) + key + _mask(payload, key))

    def send_text(self, text):
        """Sends ``text`` (str) as one text frame."""
        self._send_frame(OP_TEXT, text.encode("utf-8"))

    def send_binary(self, data):
        """Sends ``data`` (bytes-like) as one binary frame."""
        self._send_frame(OP_BINARY, bytes(data))

    def send_json(self, obj):
        """Sends ``obj`` as one text frame of compact JSON."""
        self.send_text(json.dumps(obj, separators=(",", ":")))

    # Receiving

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            self.closed = True
            raise ConnectionClosed(None, "the connection ended without a closing handshake")
        self._buffer += chunk

    def _take(self, n):
        while len(self._buffer) < n:
            self._fill()
        out = bytes(self._buffer[:n])
        del self._buffer[:n]
        return out

    def _read_frame(self):
        first, second = self._take(2)
        fin, opcode = bool(first & 0x80), first & 0x0F
        if first & 0x70:
            raise WebSocketError("frame with reserved bits set (0x%02x): no extension was agreed" % first)
        n = second & 0x7F
        if n == 126:
            (n,) = struct.unpack(">H", self._take(2))
        elif n == 127:
            (n,) = struct.unpack(">Q", self._take(8))
        if second & 0x80:
            raise WebSocketError("the server sent a masked frame (RFC 6455 §5.1: servers must not mask)")
        return fin, opcode, self._take(n)

    def recv(self):
        """The next whole message: ``str`` for text, ``bytes`` for binary.

        Pings are answered with a pong of the same payload, pongs ignored;
        a close frame is answered (if we did not start the close) and raises
        ConnectionClosed with its code and reason.
        """
        if self.closed:
            raise ConnectionClosed(self.close_code, "already closed")
        message_opcode = None
        parts = []
        while True:
            fin, opcode, payload = self._read_frame()
            if opcode >= 0x8:
                if not fin or len(payload) > 125:
                    raise WebSocketError("control frame 0x%x is fragmented or longer than 125 bytes" % opcode)
                if opcode == OP_PING:
                    self._send_frame(OP_PONG, payload)
                elif opcode == OP_CLOSE:
                    code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                    reason = payload[2:].decode("utf-8", "replace")
                    if not self.closed:
                        try:
                            self._send_frame(OP_CLOSE, payload[:2])
                        except OSError:
                            pass
                    self.closed = True
                    self.close_code = code
                    self.sock.close()
                    raise ConnectionClosed(code, reason)
                elif opcode != OP_PONG:
                    raise WebSocketError("unknown control opcode 0x%x" % opcode)
                continue
            if opcode == OP_CONTINUATION:
                if message_opcode is None:
                    raise WebSocketError("a continuation frame with no message to continue")
            elif opcode in (OP_TEXT, OP_BINARY):
                if message_opcode is not None:
                    raise WebSocketError("a new message began before the fragmented one ended")
                message_opcode = opcode
            else:
                raise WebSocketError("unknown opcode 0x%x" % opcode)
            parts.append(payload)
            if fin:
                data = b"".join(parts)
                return data.decode("utf-8") if message_opcode == OP_TEXT else data

    def recv_json(self):
        """The next message, parsed as JSON (a binary message raises WebSocketError)."""
        message = self.recv()
        if not isinstance(message, str):
            raise WebSocketError("expected a JSON text message, got %d binary bytes" % len(message))
        return json.loads(message)

    def pending(self):
        """True when a message (or part of one) can be read without blocking."""
        if self._buffer:
            return True
        if self.closed:
            return False
        readable, _, _ = select.select([self.sock], [], [], 0)
        return bool(readable)

    def close(self, code=1000, reason="", timeout=2.0):
        """Starts the closing handshake and waits up to ``timeout`` seconds for the peer's close, then closes the socket."""
        if self.closed:
            return
        try:
            self._send_frame(OP_CLOSE, struct.pack(">H", code) + reason.encode("utf-8")[:123])
            self.closed = True
            self.sock.settimeout(timeout)
            while True:
                fin, opcode, payload = self._read_frame()
                if opcode == OP_CLOSE:
                    self.close_code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                    break
        except (OSError, WebSocketError):
            pass
        finally:
            self.closed = True
            self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _endpoint(url, path):
    """``url`` with ``path`` when it names none (``ws://host:7700`` → ``ws://host:7700/ingest``)."""
    parts = urlsplit(url)
    if parts.path in ("", "/"):
        parts = parts._replace(path=path)
    return parts.geturl()


def _auth(token):
    return {} if token is None else {"Authorization": "Bearer %s" % token}


class SnapshotSender:
    """Sends a training run's snapshots to ``synergy serve`` (its ``/ingest`` endpoint).

    Connecting sends ``{"type":"hello","protocol":1,"source":source,"kind":"snapshots"}``
    and waits for ``ready``. Every later message carries the connection's
    ``seq``, one more per message, binary or text: it starts after the
    ``lastSeq`` that ``ready`` reports for a source seen before, else at 0.

    ``send(step, activations, labels)`` sends one snapshot as a binary
    frame (activations as float32 in C order, labels as int32 class codes,
    -1 unlabeled). Error frames the analyzer sent since the last call are
    raised as ServerError (``raise_errors=False`` keeps them in ``errors``
    instead); warnings go to ``warnings``. ``end()`` sends ``end`` and waits
    for the analyzer to close. ``token``: the server's token, sent as
    ``Authorization: Bearer``.
    """

    def __init__(self, url, source, token=None, timeout=10.0, raise_errors=True):
        self.source = source
        self.raise_errors = raise_errors
        self.errors = []
        self.warnings = []
        self.ws = WebSocket(_endpoint(url, "/ingest"), headers=_auth(token), timeout=timeout)
        try:
            self.ws.send_json({"type": "hello", "protocol": PROTOCOL, "source": source, "kind": "snapshots"})
            while True:
                message = self.ws.recv_json()
                kind = message.get("type")
                if kind == "ready":
                    break
                if kind == "error":
                    raise ServerError(message)
                if kind == "warning":
                    self.warnings.append(message)
            self.ready = message
            last = message.get("lastSeq")
            self.seq = 0 if last is None else int(last) + 1
        except BaseException:
            self.ws.close()
            raise

    def _take_replies(self):
        """Reads the replies waiting (without blocking); raises the first error frame unless raise_errors is False."""
        refused = None
        while self.ws.pending():
            message = self.ws.recv_json()
            kind = message.get("type")
            if kind == "error":
                self.errors.append(message)
                refused = refused or message
            elif kind == "warning":
                self.warnings.append(message)
        if refused is not None and self.raise_errors:
            raise ServerError(refused)

    def _next_seq(self):
        seq = self.seq
        self.seq += 1
        return seq

    def send(self, step, activations, labels):
        """Sends one snapshot: ``activations`` (samples, neurons), ``labels`` (samples,) int codes; returns its seq."""
        self._take_replies()
        frame = encode_snapshot_frame(self.seq, step, activations, labels)
        seq = self._next_seq()
        self.ws.send_binary(frame)
        return seq

    def send_message(self, message):
        """Sends a JSON message of the protocol with the next seq added; returns the seq."""
        self._take_replies()
        seq = self._next_seq()
        self.ws.send_json(dict(message, seq=seq))
        return seq

    def end(self, timeout=10.0):
        """Ends the source (``{"type":"end","seq":…}``) and waits up to ``timeout`` s for the analyzer to close."""
        if self.ws.closed:
            return
        self.send_message({"type": "end"})
        self.ws.sock.settimeout(timeout)
        try:
            while True:
                message = self.ws.recv_json()
                if message.get("type") == "error":
                    self.errors.append(message)
                    if self.raise_errors:
                        self.ws.close()
                        raise ServerError(message)
                elif message.get("type") == "warning":
                    self.warnings.append(message)
        except ConnectionClosed:
            pass
        except (OSError, socket.timeout):
            self.ws.close()

    def close(self):
        """Closes the connection without ``end`` (the analyzer keeps the source, as a lost one)."""
        self.ws.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.end()
        else:
            self.close()


def subscribe(url, topics=("synergy", "alerts"), token=None, top=None, sources=None, timeout=None, history=False, stop_at_end=True):
    """Yields the analysis as parsed JSON messages from ``/subscribe``, as the server sends them.

    The server's ``welcome`` first, then updates (``"type":"synergy"``) and
    alerts (``"type":"alert"``) from the moment the connection is open,
    ``subscribed``; with ``history=True`` (``"history": true`` in the
    subscribe message) one ``{"type":"history","alerts":[…],"updates":[…],"ended":[…]}``
    with what the server kept from before (those already sent included);
    each source's latest update again; then every update and alert of
    ``topics``, trimmed to the ``top`` strongest pairs and to ``sources`` if
    given. A client keys updates by source and ``t`` (``updates()`` does).
    Binary matrix frames (topic ``matrix``) are yielded decoded
    (``decode_matrix_frame``).

    The generator ends when the server closes, and, with ``stop_at_end``
    (the default), right after the end-of-stream message
    ``{"type":"end","source":…}`` that closes what was asked for: an end
    with no source (``replay --serve``, ``demo``, ``connect``: the whole
    stream), or, when ``sources`` is given, the end of the last of them; a
    history whose ``ended`` already holds that ends it too. The end of one
    source of ``synergy serve`` with ``sources=None`` does not (others go
    on). Closing the generator closes the connection. ``timeout``: seconds
    to wait for a message (None: forever); past it ``socket.timeout`` is
    raised.
    """
    ws = WebSocket(_endpoint(url, "/subscribe"), headers=_auth(token))
    ws.sock.settimeout(timeout)
    wanted = None if sources is None else set(sources)
    ended = set()

    def closes_stream(end):
        if not isinstance(end, dict):
            return False
        source = end.get("source")
        if source is None:
            return True
        if wanted is None:
            return False
        ended.add(source)
        return wanted <= ended

    try:
        request = {"type": "subscribe", "topics": list(topics)}
        if top is not None:
            request["top"] = top
        if sources is not None:
            request["sources"] = list(sources)
        if history:
            request["history"] = True
        ws.send_json(request)
        while True:
            try:
                data = ws.recv()
            except ConnectionClosed:
                return
            message = json.loads(data) if isinstance(data, str) else decode_matrix_frame(data)
            yield message
            if stop_at_end and isinstance(message, dict):
                kind = message.get("type")
                if kind == "end" and closes_stream(message):
                    return
                if kind == "history" and [end for end in (message.get("ended") or []) if closes_stream(end)]:
                    return
    finally:
        ws.close()


def updates(url, token=None, top=None, sources=None, timeout=None, history=False, stop_at_end=True):
    """Yields only the updates (``{"type":"synergy",…}`` dicts) of ``/subscribe``, in order, each once.

    ``subscribe`` with the topic ``synergy`` alone: welcome, subscribed and
    end-of-stream messages are read and not yielded. The server sends
    updates from the moment of connecting, and the latest update of each
    source once more after ``subscribed``; with ``history=True`` the
    history (the last updates of each source, each with its strongest
    ``min(top, 50)`` pairs) comes between, and holds the updates sent
    before it. This yields the history's updates first, then the live
    ones, each update once (keyed by its source and ``t``, window and
    snapshot or trial range), as the copy with the most pairs. It ends as
    ``subscribe`` does (the server's close, or the end of the stream asked
    for).
    """
    merger = _UpdateMerger(history)
    for message in subscribe(url, topics=("synergy",), token=token, top=top, sources=sources, timeout=timeout, history=history, stop_at_end=stop_at_end):
        if isinstance(message, dict):
            for _, update in merger.feed(None, message):
                yield update
    for _, update in merger.flush():
        yield update


def _update_identity(update):
    """What tells one update from another of its source: t, window, and the snapshot or trial range (two snapshots of one step differ in ``snapshot``)."""
    window, trials = update.get("window"), update.get("trials")
    return (update.get("t"), tuple(window) if isinstance(window, list) else window, update.get("snapshot"), tuple(trials) if isinstance(trials, list) else trials)


def _fuller(kept, other):
    """Of two copies of one update, the one with more pairs (the history keeps only the strongest 50)."""
    return other if len(other.get("pairs") or []) > len(kept.get("pairs") or []) else kept


class _UpdateMerger:
    """The updates of a subscription in order, each once (docs/PROTOCOL.md, "History").

    A connection gets updates from the moment it is open, then ``subscribed``;
    with ``history`` one history message (older updates, all sources sorted by
    t, trimmed to ``min(top, 50)`` pairs) that holds those already sent too;
    then each source's latest update again; then live ones. ``feed(tag,
    message)`` returns the (tag, update) ready to be taken, ``flush()`` those
    still held at the end. Updates that came before an expected history wait
    for it (``subscribed`` without ``"history": true`` says none will come);
    the last history update of each source waits for its copy sent again,
    which may have more pairs. Files (no history) pass through, a repeat of
    a source's last update skipped.
    """

    def __init__(self, expect_history):
        self.expect_history = bool(expect_history)
        self.early = []  # (tag, update) that came before the history
        self.held = {}  # source -> (tag, update): its last history update, waiting for the copy sent again
        self.last = {}  # source -> identity of the last update taken
        self.duplicates = 0

    def feed(self, tag, message):
        kind = message.get("type")
        if kind == "synergy" or (kind is None and "pairs" in message and "t" in message):
            if self.expect_history:
                self.early.append((tag, message))
                return []
            return self._live(tag, message)
        if kind == "subscribed" and self.expect_history and not message.get("history"):
            self.expect_history = False  # no history will come: what waited goes on as live
            return [taken for tag_, early in self._take_early() for taken in self._live(tag_, early)]
        if kind == "history":
            return self._history(tag, message.get("updates") or [])
        if kind == "end":
            held = self.held.pop(message.get("source"), None)
            return [] if held is None else self._take(*held)
        return []

    def flush(self):
        out = [taken for tag, early in self._take_early() for taken in self._live(tag, early)]
        for source in list(self.held):
            out += self._take(*self.held.pop(source))
        return out

    def _take_early(self):
        early, self.early = self.early, []
        return early

    def _take(self, tag, update):
        self.last[update.get("source")] = _update_identity(update)
        return [(tag, update)]

    def _history(self, tag, history):
        self.expect_history = False
        early = {}
        for early_tag, update in self._take_early():
            early.setdefault((update.get("source"), _update_identity(update)), (early_tag, update))
        merged = []
        for update in history:
            if not isinstance(update, dict):
                continue
            key = (update.get("source"), _update_identity(update))
            copy = early.pop(key, None)
            if copy is not None:
                self.duplicates += 1
            merged.append((tag, key, update if copy is None else _fuller(update, copy[1])))
        for key, (early_tag, update) in early.items():  # sent before the history and not in it (not expected)
            merged.append((early_tag, key, update))
        last_of = {key[0]: index for index, (_, key, _) in enumerate(merged)}
        out = []
        for index, (update_tag, key, update) in enumerate(merged):
            if last_of[key[0]] == index:
                self.held[key[0]] = (update_tag, update)
            elif self.last.get(key[0]) != key[1]:
                out += self._take(update_tag, update)
        return out

    def _live(self, tag, update):
        source, key = update.get("source"), _update_identity(update)
        out = []
        held = self.held.pop(source, None)
        if held is not None:
            if _update_identity(held[1]) == key:
                self.duplicates += 1
                return self._take(held[0], _fuller(held[1], update))
            out += self._take(*held)
        if self.last.get(source) == key:
            self.duplicates += 1  # the latest update sent again on subscribing
            return out
        return out + self._take(tag, update)


def _alert_identity(alert):
    """Alerts are keyed by source, t, kind and pair (docs/PROTOCOL.md, "History"); with state and series, a raise and its clear differ."""
    return tuple(_hashable(alert.get(field)) for field in ("source", "t", "kind", "state", "a", "b", "series", "measure", "change_t"))


def _hashable(value):
    return value if isinstance(value, (str, int, float, bool, type(None))) else json.dumps(value, sort_keys=True)


MATRIX_MAGIC = b"SSMX"


def decode_matrix_frame(data):
    """A binary matrix frame (topic ``matrix``) as a dict.

    The frame: magic ``SSMX``, uint32 H, H bytes of JSON header (``source``,
    ``t``, ``units`` in canonical order, ``alpha``, ``significant``,
    ``modes``), zeros up to a multiple of 4, float32 synergy of the P =
    U(U−1)/2 pairs (i < j, row by row), then P uint8 flags (bit 0:
    family-wise significant). Returns the header's fields with
    ``"type": "matrix"``, ``"synergy"`` a U × U float32 array (symmetric,
    NaN on the diagonal) and ``"significant_pairs"`` a U × U bool array.
    Raises WebSocketError for a frame of another kind or length.
    """
    data = bytes(data)
    if data[:4] != MATRIX_MAGIC or len(data) < 8:
        raise WebSocketError("binary message of %d bytes is not a matrix frame (magic %r)" % (len(data), data[:4]))
    (size,) = struct.unpack_from("<I", data, 4)
    if 8 + size > len(data):
        raise WebSocketError("matrix frame: a header of %d bytes in %d" % (size, len(data)))
    header = json.loads(data[8 : 8 + size].decode("utf-8"))
    units = header.get("units") or []
    n = len(units)
    count = n * (n - 1) // 2
    offset = 8 + size + (-(8 + size) % 4)
    if len(data) != offset + 5 * count:
        raise WebSocketError("matrix frame: %d units need %d bytes, got %d" % (n, offset + 5 * count, len(data)))
    values = np.frombuffer(data, dtype="<f4", count=count, offset=offset)
    flags = np.frombuffer(data, dtype=np.uint8, count=count, offset=offset + 4 * count)
    rows, cols = np.triu_indices(n, 1)
    synergy = np.full((n, n), np.nan, dtype=np.float32)
    synergy[rows, cols] = values
    synergy[cols, rows] = values
    significant = np.zeros((n, n), dtype=bool)
    significant[rows, cols] = (flags & 1).astype(bool)
    significant[cols, rows] = significant[rows, cols]
    return dict(header, type="matrix", synergy=synergy, significant_pairs=significant)


# Reading results: the JSONL files of `--out` and `--alerts-out` (or the
# messages of a subscription) as pandas DataFrames. pandas is imported by the
# readers themselves, so that everything above works without it.


class ReadError(ValueError):
    """A line of a results file that synergy-stream does not write: ``path``, ``line`` (1-based) and ``reason``."""

    def __init__(self, path, line, reason, what="line"):
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__("%s, %s %d: %s" % (path, what, line, reason))


# Whole numbers as the analyzer writes them as JSON numbers (src/stream/unitIds.ts):
# "12", "0", "-3", not "012", "1.0", "+4"; at most 2^53 - 1 in size.
_WHOLE_NUMBER = re.compile(r"0|-?[1-9][0-9]{0,15}")
_MAX_SAFE_INTEGER = 2**53 - 1


def _whole_number(unit):
    """The unit id as an int when it is a whole number, else None."""
    if isinstance(unit, bool):
        return None
    if isinstance(unit, int):
        return unit if abs(unit) <= _MAX_SAFE_INTEGER else None
    if isinstance(unit, float):
        return int(unit) if unit.is_integer() and abs(unit) <= _MAX_SAFE_INTEGER else None
    if isinstance(unit, str) and _WHOLE_NUMBER.fullmatch(unit):
        value = int(unit)
        return value if value <= _MAX_SAFE_INTEGER else None
    return None


def _unit_text(unit):
    return unit if isinstance(unit, str) else json.dumps(unit)


class _UnitIds:
    """The ids of one table: all whole numbers (then ints), else text; and their canonical order.

    The order is the analyzer's (src/stream/unitIds.ts): whole numbers
    first, numerically, then text in UTF-16 code unit order (JavaScript's).
    """

    def __init__(self, raw_ids):
        distinct = {unit for unit in raw_ids if unit is not None}
        whole = {unit: _whole_number(unit) for unit in distinct}
        self.numeric = all(value is not None for value in whole.values())
        self.out = {}
        keys = {}
        for unit, value in whole.items():
            self.out[unit] = value if self.numeric else (_unit_text(unit) if value is None else str(value))
            keys[self.out[unit]] = (0, value, b"") if value is not None else (1, 0, _unit_text(unit).encode("utf-16-be"))
        self.rank = {unit: rank for rank, unit in enumerate(sorted(keys, key=keys.__getitem__))}

    def convert(self, unit):
        return None if unit is None else self.out[unit]

    def column(self, raw):
        """(values as output, their ranks in canonical order; -1 for none)."""
        values = [None if unit is None else self.out[unit] for unit in raw]
        ranks = np.fromiter((-1 if unit is None else self.rank[unit] for unit in values), dtype=np.int64, count=len(values))
        return values, ranks

    def series(self, values):
        import pandas as pd

        if self.numeric:
            if any(unit is None for unit in values):
                return pd.array(values, dtype="Int64")
            return np.array(values, dtype=np.int64)
        return _objects(values)


# Message types synergy-stream writes or sends that hold no update (counted as skipped, no warning).
_KNOWN_TYPES = {"run", "synergy", "alert", "end", "history", "welcome", "subscribed", "status", "matrix", "warning", "error"}


class _Scan:
    """One pass over a results file (or a list of messages): the run headers, updates, alerts, end messages, what was skipped."""

    def __init__(self, source):
        self.headers = []
        self.updates = []  # (line, message)
        self.alerts = []  # (line, message)
        self.ends = []
        self.skipped = {}
        self.unknown = {}  # type -> (count, first line)
        self.incomplete_last_line = None
        self.what = "line"
        self.stream = []  # (line, message): updates, subscribed, history and end, in order, for the merger
        self.early_alerts = []  # alerts before a history message (it holds them too)
        self.history_alerts = None
        for line, message in self._messages(source):
            self._take(line, message)
        merger = _UpdateMerger(any(message.get("type") == "history" for _, message in self.stream))
        for line, message in self.stream:
            self.updates += merger.feed(line, message)
        self.updates += merger.flush()
        self.stream = None
        if merger.duplicates:
            self.skipped["duplicate"] = merger.duplicates
        if self.history_alerts is not None:
            # The history's alerts first, then those sent before it that it does not hold, then the live ones (self.alerts).
            seen = {_alert_identity(alert) for _, alert in self.history_alerts}
            early = [(line, alert) for line, alert in self.early_alerts if _alert_identity(alert) not in seen]
            self.alerts = self.history_alerts + early + self.alerts
            if len(early) < len(self.early_alerts):
                self.skipped["duplicate alert"] = len(self.early_alerts) - len(early)

    def _messages(self, source):
        if isinstance(source, (str, bytes, os.PathLike)):
            self.name = os.fsdecode(source)
            opener = gzip.open if self.name.endswith(".gz") else open
            with opener(source, "rb") as handle:
                yield from self._lines(handle)
        elif hasattr(source, "read"):
            self.name = getattr(source, "name", None) or "<file>"
            yield from self._lines(source)
        else:
            self.name = "messages"
            self.what = "message"
            for number, message in enumerate(source, 1):
                if not isinstance(message, dict):
                    raise self.error(number, "expected a dict (a parsed JSON message), got %s" % type(message).__name__)
                yield number, message

    def _lines(self, handle):
        for number, raw in enumerate(handle, 1):
            if isinstance(raw, bytes):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise self.error(number, "not UTF-8 (byte %d)" % error.start) from None
            else:
                text = raw
            if not text.strip():
                continue
            try:
                message = json.loads(text)
            except ValueError as error:
                if not text.endswith("\n"):
                    # The last line, without its newline: a line still being written (a live run's --out).
                    self.incomplete_last_line = number
                    warnings.warn("%s, line %d: the last line is incomplete (a run still writing?); it was skipped" % (self.name, number), stacklevel=5)
                    continue
                reason = getattr(error, "msg", str(error))
                column = getattr(error, "colno", None)
                raise self.error(number, "not JSON (%s%s): %s" % (reason, "" if column is None else " at column %d" % column, _shorten(text.strip()))) from None
            if not isinstance(message, dict):
                raise self.error(number, "not a JSON object: %s" % _shorten(text.strip()))
            yield number, message

    def error(self, line, reason):
        return ReadError(self.name, line, reason, self.what)

    def _take(self, line, message):
        kind = message.get("type")
        if kind == "synergy" or (kind is None and "pairs" in message and "t" in message):
            self.stream.append((line, message))  # (without "type": an update as the first versions wrote them)
        elif kind == "alert":
            self.alerts.append((line, message))
        elif kind == "subscribed":
            self.stream.append((line, message))
        elif kind == "run":
            self.headers.append(message)
        elif kind == "welcome" and isinstance(message.get("run"), dict):
            self.headers.append(message["run"])
        elif kind == "history" and self.history_alerts is None:
            self.stream.append((line, message))
            self.early_alerts, self.alerts = self.alerts, []
            self.history_alerts = [(line, alert) for alert in message.get("alerts") or [] if isinstance(alert, dict)]
            self.ends.extend(message.get("ended") or [])
        elif kind == "history":
            self.skipped["history"] = self.skipped.get("history", 0) + 1  # the server sends one per connection
        elif kind == "end":
            self.stream.append((line, message))
            self.ends.append(message)
        if kind in _KNOWN_TYPES:
            if kind not in ("synergy", "alert", "run", "history"):
                self.skipped[kind] = self.skipped.get(kind, 0) + 1
        elif not (kind is None and "pairs" in message and "t" in message):
            name = kind if isinstance(kind, str) else repr(kind)
            count, first = self.unknown.get(name, (0, line))
            self.unknown[name] = (count + 1, first)

    def attrs(self, ids, skipped):
        """The DataFrame's attrs: the run header and its settings, what was skipped."""
        run = self.headers[0] if self.headers else {}
        options = run.get("options") if isinstance(run.get("options"), dict) else {}
        attrs = {"run": run, "options": options}
        for key in ("version", "command", "source", "format", "seed", "started"):
            if key in run:
                attrs[key] = run[key]
        groups = run.get("groupUnits", options.get("groupUnits"))
        if isinstance(groups, list):
            groups = {group.get("name"): group.get("units") for group in groups if isinstance(group, dict)}
        if isinstance(groups, dict):
            attrs["groups"] = {name: [_group_unit(unit, ids) for unit in units or []] for name, units in groups.items()}
        attrs["path"] = self.name
        counts = dict(self.skipped)
        counts.update({kind: count for kind, count in skipped.items() if count})
        counts.update({kind: count for kind, (count, _) in self.unknown.items()})
        attrs["skipped"] = counts
        if self.ends:
            attrs["end"] = list(self.ends)
        if len(self.headers) > 1:
            attrs["runs"] = list(self.headers)
        if self.incomplete_last_line is not None:
            attrs["incomplete_last_line"] = self.incomplete_last_line
        return attrs

    def warn(self):
        """One warning for the lines of unknown types, and one for several run headers."""
        if self.unknown:
            kinds = ", ".join("%s: %d (first at %d)" % (kind, count, first) for kind, (count, first) in self.unknown.items())
            warnings.warn("%s: skipped messages of unknown type (type: count, first line): %s" % (self.name, kinds), stacklevel=3)
        if len(self.headers) > 1:
            warnings.warn("%s holds %d run headers (runs appended to one file?): attrs['run'] is the first, attrs['runs'] has them all" % (self.name, len(self.headers)), stacklevel=3)


def _group_unit(unit, ids):
    """A unit of the header's groups as the table names it: an int where the table's ids are (or may be) whole numbers."""
    whole = _whole_number(unit)
    if whole is not None and (ids is None or ids.numeric):
        return whole
    return _unit_text(unit) if whole is None else str(whole)


def _objects(values):
    """A 1-D object array of ``values`` (dicts, lists and text kept whole)."""
    out = np.empty(len(values), dtype=object)
    for index, value in enumerate(values):
        out[index] = value
    return out


def _shorten(text, limit=80):
    return text if len(text) <= limit else text[: limit - 1] + "…"


_UNIT_TYPES = (str, int, float)


def _is_unit(value):
    return type(value) in _UNIT_TYPES


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_update(scan, line, update):
    """Raises ReadError unless ``update`` has a numeric t, a window of two numbers (or none) and a list of pairs with ids."""
    if not _is_number(update.get("t")):
        raise scan.error(line, "an update without a numeric \"t\" (%s)" % _shorten(json.dumps(update.get("t"))))
    window = update.get("window")
    if window is not None and not (isinstance(window, list) and len(window) == 2 and all(_is_number(x) for x in window)):
        raise scan.error(line, "update at t %r: \"window\" is not [start, end]" % update["t"])
    pairs = update.get("pairs", [])
    if not isinstance(pairs, list):
        raise scan.error(line, "update at t %r: \"pairs\" is not a list" % update["t"])
    for pair in pairs:
        if not isinstance(pair, dict) or not _is_unit(pair.get("a")) or not _is_unit(pair.get("b")):
            raise scan.error(line, "update at t %r: a pair without unit ids \"a\" and \"b\" (text or numbers): %s" % (update["t"], _shorten(json.dumps(pair))))


def _column(scan, name, values, kind, lines):
    """``values`` as a column of ``kind`` (float, int, str, bool or auto); a value of the wrong kind raises ReadError at its line."""
    import pandas as pd

    if kind == "int":
        if all(type(value) is int for value in values):
            return np.array(values, dtype=np.int64)
        if all(value is None or type(value) is int for value in values):
            return pd.array(values, dtype="Int64")
        kind = "float"
    if kind == "float":
        try:
            return np.array(values, dtype=np.float64)
        except (TypeError, ValueError):
            for value, line in zip(values, lines):
                if value is not None and not _is_number(value):
                    raise scan.error(line, "%r is %s, not a number" % (name, _shorten(json.dumps(value)))) from None
            raise
    if kind == "bool":
        if all(isinstance(value, bool) for value in values):
            return np.array(values, dtype=bool)
        return pd.array(values, dtype="boolean")
    if kind == "auto":
        present = [value for value in values if value is not None]
        if present and all(type(value) is int for value in present):
            return _column(scan, name, values, "int", lines)
        if present and all(_is_number(value) for value in present):
            return _column(scan, name, values, "float", lines)
    return _objects(values)


# Pair columns, in this order, and the update-level columns the pair table repeats on each row.
_PAIR_FIELDS = ("joint", "ia", "ib", "synergy", "normalized", "excess", "p", "p_fwer", "p_fwer_tail", "q")
_KNOWN_PAIR_KEYS = frozenset(_PAIR_FIELDS) | {"a", "b"}
_UPDATE_FIELDS_IN_PAIRS = (("alpha", "float"), ("surrogates", "int"), ("effective_surrogates", "int"), ("significant", "int"), ("units", "int"), ("estimator", "str"))


def _window(update):
    window = update.get("window") or (None, None)
    return window[0], window[1]


def read_updates(path):
    """One row per update × pair of a results file, as a pandas DataFrame.

    ``path``: a JSONL file written by ``synergy replay|demo|serve|connect
    --out`` (``.gz`` read as gzip), an open file, or a list of messages
    (dicts, e.g. collected from ``subscribe()``; a ``history`` message's
    updates are taken, a ``welcome``'s run header too).

    Columns: ``update`` (the update's position among the file's updates, 0
    on: the key shared with ``read_update_table`` and ``read_groups``),
    ``source`` (when the updates name one), ``t``, ``window_start``,
    ``window_end``, ``samples``, ``a``, ``b``, the pair's ``joint``, ``ia``,
    ``ib``, ``synergy``, ``normalized`` (NaN for null), ``excess``, ``p``,
    ``p_fwer``, ``p_fwer_tail``, ``q`` (those in the file), then the
    update's ``alpha``, ``surrogates``, ``effective_surrogates``,
    ``significant``, ``units``, ``estimator``. Rows in file order (within
    an update, strongest pair first). An update with no pairs has no row
    here (it has one in ``read_update_table``).

    Unit ids: int64 when every id in the table is a whole number, else text
    (str). Each pair is in canonical order, ``a`` before ``b`` (whole
    numbers numerically and before text, text in code unit order, as the
    analyzer orders them); a pair written the other way (older versions)
    is swapped, with ``ia`` and ``ib``.

    ``df.attrs``: ``run`` (the run header, ``{}`` when the file has none),
    ``options`` (its ``options``), ``version``, ``command``, ``source``
    (what the run read), ``format``, ``seed``, ``started`` (those the
    header has), ``groups`` ({name: [ids]}, with groups), ``path``,
    ``skipped`` ({type: lines} not read into this table: alerts, end, …,
    and types this reader does not know, which also warn), ``end`` (the
    end-of-stream messages, if any).

    Raises ReadError (a ValueError) naming the file and line of a line that
    is not a JSON object, or an update without a numeric ``t``, a pair
    without ids, a value of the wrong kind. A last line without its newline
    that is not JSON (a run still writing) is skipped with a warning.
    """
    import pandas as pd

    scan = _Scan(path)
    has_source = any("source" in update for _, update in scan.updates)
    present = {name for name, _ in _UPDATE_FIELDS_IN_PAIRS if any(name in update for _, update in scan.updates)}
    columns = {name: [] for name in ("update", "source", "t", "window_start", "window_end", "samples", "a", "b")}
    pair_columns = {name: [] for name in _PAIR_FIELDS}
    extra = {}  # pair keys of newer versions, kept as columns
    seen = set()  # the pair fields the file has (null included)
    keys = set()
    update_columns = {name: [] for name, _ in _UPDATE_FIELDS_IN_PAIRS if name in present}
    lines = []
    row = 0
    for position, (line, update) in enumerate(scan.updates):
        _check_update(scan, line, update)
        pairs = update.get("pairs") or []
        count = len(pairs)
        if count == 0:
            continue
        start, end = _window(update)
        for name, value in (("update", position), ("source", update.get("source")), ("t", update["t"]), ("window_start", start), ("window_end", end), ("samples", update.get("samples"))):
            columns[name].extend([value] * count)
        for name, values in update_columns.items():
            values.extend([update.get(name)] * count)
        lines.extend([line] * count)
        a_column, b_column = columns["a"], columns["b"]
        for pair in pairs:
            a_column.append(pair["a"])
            b_column.append(pair["b"])
            for name, values in pair_columns.items():
                values.append(pair.get(name))
            if pair.keys() != keys:
                # A pair with other fields than the last one: note them (fields of newer versions become columns).
                keys = set(pair)
                seen |= keys
                for key in keys - _KNOWN_PAIR_KEYS:
                    if key not in extra:
                        extra[key] = [None] * row
            for key, values in extra.items():
                values.append(pair.get(key))
            row += 1
    ids = _UnitIds(columns["a"] + columns["b"])
    a_values, a_rank = ids.column(columns["a"])
    b_values, b_rank = ids.column(columns["b"])
    swap = a_rank > b_rank
    data = {"update": _column(scan, "update", columns["update"], "int", lines)}
    if has_source:
        data["source"] = _column(scan, "source", columns["source"], "str", lines)
    data["t"] = _column(scan, "t", columns["t"], "float", lines)
    data["window_start"] = _column(scan, "window", columns["window_start"], "float", lines)
    data["window_end"] = _column(scan, "window", columns["window_end"], "float", lines)
    data["samples"] = _column(scan, "samples", columns["samples"], "int", lines)
    a_out, b_out = _objects(a_values), _objects(b_values)
    a_out[swap], b_out[swap] = b_out[swap], a_out[swap].copy()
    data["a"] = ids.series(list(a_out))
    data["b"] = ids.series(list(b_out))
    for name in _PAIR_FIELDS:
        if name in seen or (row == 0 and name in ("joint", "ia", "ib", "synergy", "normalized")):
            data[name] = _column(scan, name, pair_columns[name], "float", lines)
    if swap.any() and "ia" in data and "ib" in data:
        ia, ib = data["ia"], data["ib"]
        data["ia"], data["ib"] = np.where(swap, ib, ia), np.where(swap, ia, ib)
    for key, values in extra.items():
        data[key] = _column(scan, key, values, "auto", lines)
    for name, kind in _UPDATE_FIELDS_IN_PAIRS:
        if name in update_columns:
            data[name] = _column(scan, name, update_columns[name], kind, lines)
    frame = pd.DataFrame(data)
    scan.warn()
    frame.attrs.update(scan.attrs(ids, {"alert": len(scan.alerts), "synergy": sum(1 for _, update in scan.updates if not update.get("pairs"))}))
    return frame


# The update table's columns: (name in the table, field in the update, kind).
_UPDATE_TABLE_FIELDS = (
    ("samples", "samples", "int"),
    ("estimator", "estimator", "str"),
    ("levels", "levels", "int"),
    ("units", "units", "int"),
    ("pairs_computed", "pairsComputed", "int"),
    ("surrogates", "surrogates", "int"),
    ("effective_surrogates", "effective_surrogates", "int"),
    ("min_p", "min_p", "float"),
    ("alpha", "alpha", "float"),
    ("significant", "significant", "int"),
    ("discoveries", "discoveries", "int"),
    ("step", "step", "float"),
    ("snapshot", "snapshot", "int"),
    ("snapshots_dropped", "snapshots_dropped", "int"),
    ("conflated", "conflated", "int"),
)
# Fields of an update the update table gives in another form (or, for lists of objects, leaves to the other readers).
_UPDATE_TABLE_OTHER = {"type", "source", "t", "window", "trials", "dropped", "labels", "pairs", "groups", "population", "regions", "subnetworks"}


def read_update_table(path):
    """One row per update of a results file (those without pairs too), as a pandas DataFrame.

    Columns: ``update`` (position among the file's updates), ``source``
    (when named), ``t``, ``window_start``, ``window_end``, ``trial_first``,
    ``trial_end`` (trials), ``samples``, ``estimator``, ``levels``,
    ``units``, ``pairs_computed`` (``pairsComputed``), ``pairs_listed``
    (pairs the update lists: its ``top``), ``surrogates``,
    ``effective_surrogates``, ``min_p``, ``alpha``, ``significant``,
    ``discoveries``, ``dropped_unlabeled``, ``dropped_late``, ``step``,
    ``snapshot``, ``snapshots_dropped`` (snapshots), ``conflated``, then
    other scalar fields of newer versions under their own names, and
    ``labels`` (a dict: labeled samples per mode). Those in the file.
    ``attrs`` and errors as ``read_updates``.
    """
    import pandas as pd

    scan = _Scan(path)
    updates = scan.updates
    lines = [line for line, _ in updates]
    for line, update in updates:
        _check_update(scan, line, update)
    has = lambda field: any(field in update for _, update in updates)  # noqa: E731
    data = {"update": np.arange(len(updates), dtype=np.int64)}
    if has("source"):
        data["source"] = _column(scan, "source", [update.get("source") for _, update in updates], "str", lines)
    data["t"] = _column(scan, "t", [update["t"] for _, update in updates], "float", lines)
    windows = [_window(update) for _, update in updates]
    data["window_start"] = _column(scan, "window", [w[0] for w in windows], "float", lines)
    data["window_end"] = _column(scan, "window", [w[1] for w in windows], "float", lines)
    if has("trials"):
        trials = [update.get("trials") if isinstance(update.get("trials"), list) and len(update["trials"]) == 2 else (None, None) for _, update in updates]
        data["trial_first"] = _column(scan, "trials", [trial[0] for trial in trials], "int", lines)
        data["trial_end"] = _column(scan, "trials", [trial[1] for trial in trials], "int", lines)
    for name, field, kind in _UPDATE_TABLE_FIELDS[:5]:
        if has(field):
            data[name] = _column(scan, field, [update.get(field) for _, update in updates], kind, lines)
    data["pairs_listed"] = np.array([len(update.get("pairs") or []) for _, update in updates], dtype=np.int64)
    for name, field, kind in _UPDATE_TABLE_FIELDS[5:11]:
        if has(field):
            data[name] = _column(scan, field, [update.get(field) for _, update in updates], kind, lines)
    if has("dropped"):
        dropped = [update.get("dropped") if isinstance(update.get("dropped"), dict) else {} for _, update in updates]
        data["dropped_unlabeled"] = _column(scan, "dropped", [d.get("unlabeled") for d in dropped], "int", lines)
        data["dropped_late"] = _column(scan, "dropped", [d.get("late") for d in dropped], "int", lines)
    for name, field, kind in _UPDATE_TABLE_FIELDS[11:]:
        if has(field):
            data[name] = _column(scan, field, [update.get(field) for _, update in updates], kind, lines)
    known = _UPDATE_TABLE_OTHER | {field for _, field, _ in _UPDATE_TABLE_FIELDS}
    others = []
    for _, update in updates:
        for key, value in update.items():
            if key not in known and key not in others and (value is None or isinstance(value, (str, int, float, bool))):
                others.append(key)
    for key in others:
        data[key] = _column(scan, key, [update.get(key) for _, update in updates], "auto", lines)
    if has("labels"):
        data["labels"] = _column(scan, "labels", [update.get("labels") for _, update in updates], "object", lines)
    frame = pd.DataFrame(data)
    scan.warn()
    frame.attrs.update(scan.attrs(None, {"alert": len(scan.alerts)}))
    return frame


# Group columns: the measures, their p, the surrogates, the distribution of the group's pair synergy.
_GROUP_MEASURES = ("oinfo", "tc", "dtc", "sinfo", "synergy", "doinfo_y")
_GROUP_SURROGATES = ("label", "effective", "unit")
_GROUP_PAIRS = (("pair_count", "pairs", "int"), ("pair_mean", "mean", "float"), ("pair_q10", "q10", "float"), ("pair_median", "median", "float"), ("pair_q90", "q90", "float"), ("pair_significant", "significant", "float"))


def read_groups(path, population=True):
    """One row per update × group of a results file (replays with ``--groups``/``--group-by``), as a pandas DataFrame.

    Columns: ``update``, ``source`` (when named), ``t``, ``window_start``,
    ``window_end``, ``group`` (its name), ``kind`` (``group``, or
    ``population`` for the update's measures of every grouped unit
    together, included unless ``population=False``; they have no p),
    ``units``, ``measured``, ``method``, ``estimator``, ``samples``, the
    measures ``oinfo``, ``tc``, ``dtc``, ``sinfo``, ``synergy``,
    ``doinfo_y`` (bits, NaN for null), their surrogate p ``p_oinfo`` …
    ``p_doinfo_y``, ``surrogates_label``, ``surrogates_effective``,
    ``surrogates_unit``, the distribution of the group's pair synergy
    ``pair_count``, ``pair_mean``, ``pair_q10``, ``pair_median``,
    ``pair_q90``, ``pair_significant`` (share family-wise significant), and
    ``note`` (why a measure is null). Those in the file. Empty (no rows)
    for a run without groups. ``attrs`` (with ``groups``: {name: [ids]}) and
    errors as ``read_updates``.
    """
    import pandas as pd

    scan = _Scan(path)
    rows = []
    for position, (line, update) in enumerate(scan.updates):
        _check_update(scan, line, update)
        groups = update.get("groups") or []
        if not isinstance(groups, list):
            raise scan.error(line, "update at t %r: \"groups\" is not a list" % update["t"])
        members = [("group", group) for group in groups]
        if population and isinstance(update.get("population"), dict):
            members.append(("population", update["population"]))
        for kind, group in members:
            if not isinstance(group, dict):
                raise scan.error(line, "update at t %r: a group that is not an object" % update["t"])
            rows.append((line, position, update, kind, group))
    lines = [row[0] for row in rows]
    has = lambda field: any(field in row[4] for row in rows)  # noqa: E731
    nested = lambda field, key: [row[4].get(field).get(key) if isinstance(row[4].get(field), dict) else None for row in rows]  # noqa: E731
    data = {"update": _column(scan, "update", [row[1] for row in rows], "int", lines)}
    if any("source" in row[2] for row in rows):
        data["source"] = _column(scan, "source", [row[2].get("source") for row in rows], "str", lines)
    data["t"] = _column(scan, "t", [row[2]["t"] for row in rows], "float", lines)
    windows = [_window(row[2]) for row in rows]
    data["window_start"] = _column(scan, "window", [w[0] for w in windows], "float", lines)
    data["window_end"] = _column(scan, "window", [w[1] for w in windows], "float", lines)
    data["group"] = _column(scan, "name", [row[4].get("name") for row in rows], "str", lines)
    data["kind"] = _column(scan, "kind", [row[3] for row in rows], "str", lines)
    for field, kind in (("units", "int"), ("measured", "int"), ("method", "str"), ("estimator", "str"), ("samples", "int")):
        if has(field):
            data[field] = _column(scan, field, [row[4].get(field) for row in rows], kind, lines)
    for field in _GROUP_MEASURES:
        if has(field) or not rows:
            data[field] = _column(scan, field, [row[4].get(field) for row in rows], "float", lines)
    if has("p"):
        for field in _GROUP_MEASURES:
            data["p_" + field] = _column(scan, "p." + field, nested("p", field), "float", lines)
    if has("surrogates"):
        for field in _GROUP_SURROGATES:
            data["surrogates_" + field] = _column(scan, "surrogates." + field, nested("surrogates", field), "int", lines)
    if has("pairs"):
        for name, field, kind in _GROUP_PAIRS:
            data[name] = _column(scan, "pairs." + field, nested("pairs", field), kind, lines)
    if has("note"):
        data["note"] = _column(scan, "note", [row[4].get("note") for row in rows], "str", lines)
    frame = pd.DataFrame(data)
    scan.warn()
    frame.attrs.update(scan.attrs(None, {"alert": len(scan.alerts)}))
    return frame


# Alert columns in this order (then fields of newer versions under their own names).
_ALERT_FIELDS = (
    ("source", "str"),
    ("t", "float"),
    ("state", "str"),
    ("kind", "str"),
    ("a", "id"),
    ("b", "id"),
    ("value", "float"),
    ("p", "float"),
    ("p_fwer", "float"),
    ("p_fwer_tail", "float"),
    ("suppressed", "int"),
    ("series", "str"),
    ("measure", "str"),
    ("change_t", "float"),
    ("before", "float"),
    ("after", "float"),
    ("crossing", "str"),
    ("probability", "float"),
    ("message", "str"),
)


def read_alerts(path):
    """One row per alert of a results file (``--alerts-out``, or an ``--out`` file with alerts in it), as a pandas DataFrame.

    Columns: ``source`` (when named), ``t``, ``state`` (raised, cleared),
    ``kind``, ``a``, ``b`` (pair alerts; canonical order, and int64 — Int64,
    with <NA> for alerts of no pair — when every id is a whole number, else
    str), ``value``, ``p``, ``p_fwer``, ``p_fwer_tail``, ``suppressed``, the
    emergence alerts' ``series``, ``measure``, ``change_t``, ``before``,
    ``after``, ``crossing``, ``probability``, and ``message``. Those in the
    file, in file order. ``attrs`` and errors as ``read_updates``.
    """
    import pandas as pd

    scan = _Scan(path)
    alerts = scan.alerts
    lines = [line for line, _ in alerts]
    for line, alert in alerts:
        if not _is_number(alert.get("t")):
            raise scan.error(line, "an alert without a numeric \"t\": %s" % _shorten(json.dumps(alert)))
    ids = _UnitIds([alert.get("a") for _, alert in alerts] + [alert.get("b") for _, alert in alerts])
    a_values, a_rank = ids.column([alert.get("a") for _, alert in alerts])
    b_values, b_rank = ids.column([alert.get("b") for _, alert in alerts])
    swap = (a_rank > b_rank) & (b_rank >= 0)
    a_out, b_out = _objects(a_values), _objects(b_values)
    a_out[swap], b_out[swap] = b_out[swap], a_out[swap].copy()
    data = {}
    known = {field for field, _ in _ALERT_FIELDS} | {"type"}
    for field, kind in _ALERT_FIELDS:
        if not any(field in alert for _, alert in alerts) and not (not alerts and field in ("t", "state", "kind", "message")):
            continue
        if kind == "id":
            data[field] = ids.series(list(a_out if field == "a" else b_out))
        else:
            data[field] = _column(scan, field, [alert.get(field) for _, alert in alerts], kind, lines)
    others = []
    for _, alert in alerts:
        for key, value in alert.items():
            if key not in known and key not in others and (value is None or isinstance(value, (str, int, float, bool))):
                others.append(key)
    for key in others:
        data[key] = _column(scan, key, [alert.get(key) for _, alert in alerts], "auto", lines)
    frame = pd.DataFrame(data)
    scan.warn()
    frame.attrs.update(scan.attrs(ids, {"synergy": len(scan.updates)}))
    return frame
