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

Example::

    import numpy as np
    from synergy_client import SnapshotSender
    with SnapshotSender("ws://127.0.0.1:7700", "mlp-run-3") as sender:
        for step in range(0, 10000, 500):
            sender.send(step, activations, labels)   # (samples, neurons), (samples,)
"""

import base64
import hashlib
import json
import os
import select
import socket
import ssl
import struct
from urllib.parse import urlsplit

import numpy as np

__all__ = [
    "SnapshotSender",
    "subscribe",
    "updates",
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

