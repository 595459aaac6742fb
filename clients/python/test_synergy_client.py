"""Tests of synergy_client: the binary snapshot frame, byte by byte, and the
WebSocket client against a tiny WebSocket server in this process
(socketserver + threading), which checks what the client sends (masking,
lengths, the hello) and plays the analyzer's part (ready, fragments, pings,
closes, refusals). Run: /usr/bin/python3 -m unittest discover -s clients/python
"""

import base64
import hashlib
import json
import os
import socket
import socketserver
import struct
import sys
import threading
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synergy_client as sc  # noqa: E402


class FrameLayoutTest(unittest.TestCase):
    def test_fields_are_where_the_table_says(self):
        activations = np.arange(6, dtype=np.float64).reshape(3, 2) / 4
        frame = sc.encode_snapshot_frame(7, 1200.5, activations, [0, 5, -1])
        # 32 header + 12 labels + 4 padding (3 rows: 44 → 48) + 6 float32 values.
        self.assertEqual(len(frame), 32 + 12 + 4 + 24)
        self.assertEqual(frame[0:4], b"SSNP")
        self.assertEqual(frame[4], 1)
        self.assertEqual(frame[5], 0)  # float32
        self.assertEqual(frame[6:8], b"\0\0")
        self.assertEqual(struct.unpack_from("<d", frame, 8)[0], 7.0)
        self.assertEqual(struct.unpack_from("<d", frame, 16)[0], 1200.5)
        self.assertEqual(struct.unpack_from("<II", frame, 24), (3, 2))
        self.assertEqual(struct.unpack_from("<3i", frame, 32), (0, 5, -1))
        self.assertEqual(frame[44:48], b"\0\0\0\0")
        self.assertEqual(struct.unpack_from("<6f", frame, 48), (0.0, 0.25, 0.5, 0.75, 1.0, 1.25))

    def test_even_rows_have_no_padding_and_float64_is_dtype_1(self):
        frame = sc.encode_snapshot_frame(0, 3, np.ones((2, 1)), np.array([1, 2], dtype=np.int64), dtype=np.float64)
        self.assertEqual(len(frame), 32 + 8 + 16)
        self.assertEqual(frame[5], 1)
        self.assertEqual(struct.unpack_from("<2d", frame, 40), (1.0, 1.0))

    def test_values_go_in_c_order_whatever_the_input_order(self):
        fortran = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
        frame = sc.encode_snapshot_frame(0, 0, fortran, [0, 1])
        self.assertEqual(struct.unpack_from("<6f", frame, 40), (0, 1, 2, 3, 4, 5))
        transposed = np.arange(6, dtype=np.float32).reshape(3, 2).T  # (2, 3), not contiguous
        frame = sc.encode_snapshot_frame(0, 0, transposed, [0, 1])
        self.assertEqual(struct.unpack_from("<6f", frame, 40), (0, 2, 4, 1, 3, 5))

    def test_refuses_what_the_analyzer_would_refuse(self):
        ok = np.ones((2, 2))
        cases = [
            (lambda: sc.encode_snapshot_frame(0, 0, np.ones(3), [0, 1, 2]), "2-D"),
            (lambda: sc.encode_snapshot_frame(0, 0, np.ones((0, 2)), []), "at least one sample"),
            (lambda: sc.encode_snapshot_frame(0, 0, np.array([[1.0, np.nan], [0, 0]]), [0, 1]), "activations[0, 1]"),
            (lambda: sc.encode_snapshot_frame(0, 0, ok, [0]), "one code per sample"),
            (lambda: sc.encode_snapshot_frame(0, 0, ok, [0, -2]), "-1 for unlabeled"),
            (lambda: sc.encode_snapshot_frame(0, 0, ok, [0, 0.5]), "integer class codes"),
            (lambda: sc.encode_snapshot_frame(1.5, 0, ok, [0, 1]), "seq"),
            (lambda: sc.encode_snapshot_frame(0, float("inf"), ok, [0, 1]), "step"),
        ]
        for call, words in cases:
            with self.assertRaises(ValueError) as caught:
                call()
            self.assertIn(words, str(caught.exception))


GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class ServerSide:
    """The server's end of one WebSocket connection: reads masked client frames, sends unmasked ones."""

    def __init__(self, sock, request):
        self.sock = sock
        self.request = request
        self.buffer = b""

    def take(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("client went away")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def recv_frame(self):
        """(fin, opcode, payload, masked) of the next client frame."""
        first, second = self.take(2)
        n = second & 0x7F
        if n == 126:
            (n,) = struct.unpack(">H", self.take(2))
        elif n == 127:
            (n,) = struct.unpack(">Q", self.take(8))
        masked = bool(second & 0x80)
        key = self.take(4) if masked else b"\0\0\0\0"
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(self.take(n))) if n < 4096 else (
            np.bitwise_xor(np.frombuffer(self.take(n), np.uint8), np.resize(np.frombuffer(key, np.uint8), n)).tobytes()
        )
        return bool(first & 0x80), first & 0x0F, payload, masked

    def recv_json(self):
        fin, opcode, payload, masked = self.recv_frame()
        assert fin and opcode == 1 and masked, (fin, opcode, masked)
        return json.loads(payload)

    def send_frame(self, opcode, payload, fin=True):
        n = len(payload)
        head = bytes([(0x80 if fin else 0) | opcode])
        head += bytes([n]) if n < 126 else (bytes([126]) + struct.pack(">H", n) if n < 65536 else bytes([127]) + struct.pack(">Q", n))
        self.sock.sendall(head + payload)

    def send_json(self, obj):
        self.send_frame(1, json.dumps(obj).encode())

    def close(self, code=1000):
        self.send_frame(8, struct.pack(">H", code))


class TinyServer:
    """A WebSocket server on a free port that runs `script(side)` for each connection, in a thread.

    `refuse` = (status, body) answers the upgrade with that HTTP status instead.
    What the script records goes in `self.seen`; an exception it raises in `self.failures`.
    """

    def __init__(self, script, refuse=None, bad_accept=False):
        outer = self
        self.seen = []
        self.failures = []

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                data = b""
                while b"\r\n\r\n" not in data:
                    data += self.request.recv(4096)
                head, _, rest = data.partition(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
                request = {"line": lines[0], "headers": fields}
                if refuse is not None:
                    body = refuse[1].encode()
                    self.request.sendall(b"HTTP/1.1 %d Refused\r\nContent-Length: %d\r\n\r\n%s" % (refuse[0], len(body), body))
                    return
                accept = base64.b64encode(hashlib.sha1((fields["sec-websocket-key"] + GUID).encode()).digest()).decode()
                if bad_accept:
                    accept = ("y" if accept[0] == "x" else "x") + accept[1:]  # always another key (a key may start with x)
                self.request.sendall(
                    ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n" % accept).encode()
                )
                side = ServerSide(self.request, request)
                side.buffer = rest
                try:
                    script(side, outer.seen)
                except Exception as error:  # reported by the test
                    outer.failures.append(error)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path=""):
        return "ws://127.0.0.1:%d%s" % (self.port, path)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class WebSocketTest(unittest.TestCase):
    def serve(self, script, **options):
        server = TinyServer(script, **options)
        self.addCleanup(server.stop)
        return server

    def test_masks_every_frame_and_uses_each_length_form(self):
        def script(side, seen):
            for _ in range(4):
                seen.append(side.recv_frame())
            side.close()

        server = self.serve(script)
        ws = sc.WebSocket(server.url("/x"))
        ws.send_text("héllo")
        ws.send_binary(b"\x01" * 126)
        ws.send_binary(bytes(range(256)) * 300)  # 76,800 bytes: the 64-bit length
        ws.send_text("")
        with self.assertRaises(sc.ConnectionClosed) as caught:
            ws.recv()
        self.assertEqual(caught.exception.code, 1000)
        self.assertEqual([(fin, op, masked) for fin, op, _, masked in server.seen], [(True, 1, True), (True, 2, True), (True, 2, True), (True, 1, True)])
        self.assertEqual(server.seen[0][2], "héllo".encode())
        self.assertEqual(server.seen[1][2], b"\x01" * 126)
        self.assertEqual(server.seen[2][2], bytes(range(256)) * 300)
        self.assertEqual(server.seen[3][2], b"")
        self.assertEqual(server.failures, [])

    def test_joins_fragments_answers_pings_and_answers_a_close(self):
        def script(side, seen):
            side.send_frame(1, b'{"a":', fin=False)
            side.send_frame(9, b"are you there")
            side.send_frame(0, b"[1,2", fin=False)
            side.send_frame(0, b"]}")
            seen.append(side.recv_frame())  # the pong
            side.send_frame(2, b"\x00\x01", fin=False)
            side.send_frame(0, b"\x02")
            side.close(4008)
            seen.append(side.recv_frame())  # the close answer

        server = self.serve(script)
        ws = sc.WebSocket(server.url())
        self.assertEqual(ws.recv_json(), {"a": [1, 2]})
        self.assertEqual(ws.recv(), b"\x00\x01\x02")
        with self.assertRaises(sc.ConnectionClosed) as caught:
            ws.recv()
        self.assertEqual(caught.exception.code, 4008)
        server.thread.join(0.1)
        for _ in range(50):
            if len(server.seen) == 2:
                break
            threading.Event().wait(0.02)
        pong, close = server.seen
        self.assertEqual(pong[1:], (10, b"are you there", True))
        self.assertEqual(close[1], 8)
        self.assertEqual(struct.unpack(">H", close[2][:2])[0], 4008)

    def test_starts_a_closing_handshake_and_waits_for_the_answer(self):
        def script(side, seen):
            fin, opcode, payload, masked = side.recv_frame()
            seen.append((opcode, struct.unpack(">H", payload[:2])[0], payload[2:]))
            side.close(1000)

        server = self.serve(script)
        ws = sc.WebSocket(server.url())
        ws.close(1001, "bye")
        self.assertEqual(server.seen, [(8, 1001, b"bye")])
        self.assertEqual(ws.close_code, 1000)
        self.assertTrue(ws.closed)

    def test_a_refused_upgrade_names_the_status_and_reason(self):
        server = self.serve(lambda side, seen: None, refuse=(401, "unauthorized: this server requires a token"))
        with self.assertRaises(sc.HandshakeError) as caught:
            sc.WebSocket(server.url("/ingest"))
        self.assertEqual(caught.exception.status, 401)
        self.assertIn("requires a token", str(caught.exception))

    def test_a_wrong_accept_key_is_refused(self):
        server = self.serve(lambda side, seen: None, bad_accept=True)
        with self.assertRaises(sc.WebSocketError) as caught:
            sc.WebSocket(server.url())
        self.assertIn("Sec-WebSocket-Accept", str(caught.exception))


class SnapshotSenderTest(unittest.TestCase):
    def serve(self, script):
        server = TinyServer(script)
        self.addCleanup(server.stop)
        return server

    def test_hello_ready_frames_and_end_share_one_seq(self):
        def script(side, seen):
            seen.append(side.request)
            seen.append(side.recv_json())
            side.send_json({"type": "warning", "code": "unknown-field", "message": "x"})
            side.send_json({"type": "ready", "protocol": 1, "source": "net", "lastSeq": 41})
            fin, opcode, frame, masked = side.recv_frame()
            seen.append((opcode, masked, frame))
            seen.append(side.recv_json())
            seen.append(side.recv_json())
            side.close(1000)

        server = self.serve(script)
        activations = np.random.default_rng(0).normal(size=(5, 3))
        with sc.SnapshotSender(server.url(), "net", token="s3cret") as sender:
            self.assertEqual(sender.seq, 42)
            self.assertEqual(sender.send(100, activations, np.array([0, 1, 1, 0, -1])), 42)
            self.assertEqual(sender.send_message({"type": "heartbeat", "t": 1.0}), 43)
        self.assertEqual(server.failures, [])
        request, hello, (opcode, masked, frame), heartbeat, end = server.seen
        self.assertEqual(request["line"], "GET /ingest HTTP/1.1")
        self.assertEqual(request["headers"]["authorization"], "Bearer s3cret")
        self.assertEqual(hello, {"type": "hello", "protocol": 1, "source": "net", "kind": "snapshots"})
        self.assertEqual((opcode, masked), (2, True))
        self.assertEqual(frame, sc.encode_snapshot_frame(42, 100, activations, [0, 1, 1, 0, -1]))
        self.assertEqual(heartbeat, {"type": "heartbeat", "t": 1.0, "seq": 43})
        self.assertEqual(end, {"type": "end", "seq": 44})
        self.assertEqual(len(sender.warnings), 1)

    def test_a_new_source_starts_at_seq_0_and_errors_are_raised_at_the_next_send(self):
        def script(side, seen):
            side.recv_json()
            side.send_json({"type": "ready", "protocol": 1, "source": "net", "lastSeq": None})
            side.recv_frame()
            side.send_json({"type": "error", "code": "bad-binary-frame", "message": "snapshot frame: nope", "seq": 0})
            seen.append("sent error")
            side.recv_frame()  # the close after the raise
            side.close(1000)

        server = self.serve(script)
        with self.assertRaises(sc.ServerError) as caught:
            with sc.SnapshotSender(server.url("/ingest"), "net") as sender:
                self.assertEqual(sender.send(1, np.ones((1, 1)), [0]), 0)
                for _ in range(100):
                    if server.seen:
                        break
                    threading.Event().wait(0.02)
                threading.Event().wait(0.05)
                sender.send(2, np.ones((1, 1)), [0])
        self.assertEqual(caught.exception.code, "bad-binary-frame")

    def test_an_error_answer_to_hello_is_raised(self):
        def script(side, seen):
            side.recv_json()
            side.send_json({"type": "error", "code": "duplicate-hello", "message": "source net is already connected"})
            side.recv_frame()
            side.close(1000)

        server = self.serve(script)
        with self.assertRaises(sc.ServerError) as caught:
            sc.SnapshotSender(server.url(), "net")
        self.assertEqual(caught.exception.code, "duplicate-hello")


class SubscribeTest(unittest.TestCase):
    def test_yields_every_message_until_the_server_closes(self):
        def script(side, seen):
            side.send_json({"type": "welcome", "protocol": 1, "topics": ["synergy", "alerts"]})
            seen.append(side.recv_json())
            seen.append(side.request["line"])
            side.send_json({"type": "subscribed", "topics": ["synergy"], "top": 5, "sources": None})
            side.send_frame(1, b'{"type":"synergy",', fin=False)
            side.send_frame(0, b'"t":60}')
            side.close(1001)

        server = TinyServer(script)
        self.addCleanup(server.stop)
        messages = list(sc.subscribe(server.url(), topics=("synergy",), top=5, timeout=5))
        self.assertEqual([m["type"] for m in messages], ["welcome", "subscribed", "synergy"])
        self.assertEqual(messages[2], {"type": "synergy", "t": 60})
        self.assertEqual(server.seen, [{"type": "subscribe", "topics": ["synergy"], "top": 5}, "GET /subscribe HTTP/1.1"])

    def serve(self, script):
        server = TinyServer(script)
        self.addCleanup(server.stop)
        return server

    @staticmethod
    def answer_close(side, seen):
        """Waits for the client's close frame, records its code, answers it."""
        fin, opcode, payload, masked = side.recv_frame()
        seen.append(("close", opcode, struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None))
        side.close(1000)

    def test_history_is_asked_for_and_the_end_of_the_stream_ends_the_generator(self):
        def script(side, seen):
            side.send_json({"type": "welcome", "protocol": 1})
            seen.append(side.recv_json())
            side.send_json({"type": "subscribed", "topics": ["synergy", "alerts"], "top": None, "sources": None, "history": True})
            side.send_json({"type": "history", "alerts": [], "updates": [{"type": "synergy", "t": 1}], "ended": []})
            side.send_json({"type": "synergy", "t": 2})
            side.send_json({"type": "end", "source": None, "t": 2, "updates": 2, "message": "replay over"})
            # The server stays open: the client ends it.
            SubscribeTest.answer_close(side, seen)

        server = self.serve(script)
        messages = list(sc.subscribe(server.url(), history=True, timeout=5))
        self.assertEqual([m["type"] for m in messages], ["welcome", "subscribed", "history", "synergy", "end"])
        self.assertEqual(server.seen, [{"type": "subscribe", "topics": ["synergy", "alerts"], "history": True}, ("close", 8, 1000)])

    def test_the_end_of_one_source_ends_it_only_when_it_was_the_last_asked_for(self):
        def script(side, seen):
            side.send_json({"type": "welcome", "protocol": 1})
            seen.append(side.recv_json())
            side.send_json({"type": "subscribed"})
            side.send_json({"type": "end", "source": "a"})
            side.send_json({"type": "synergy", "source": "b", "t": 3})
            side.send_json({"type": "end", "source": "b"})
            SubscribeTest.answer_close(side, seen)

        server = self.serve(script)
        messages = list(sc.subscribe(server.url(), sources=["a", "b"], timeout=5))
        self.assertEqual([(m["type"], m.get("source")) for m in messages], [("welcome", None), ("subscribed", None), ("end", "a"), ("synergy", "b"), ("end", "b")])
        self.assertEqual(server.seen[1], ("close", 8, 1000))

    def test_a_named_end_with_every_source_or_stop_at_end_false_goes_on_to_the_close(self):
        def script(side, seen):
            side.send_json({"type": "welcome", "protocol": 1})
            side.recv_json()
            side.send_json({"type": "subscribed"})
            side.send_json({"type": "end", "source": "rig-1"})
            side.send_json({"type": "end", "source": None})
            side.send_json({"type": "synergy", "source": "rig-2", "t": 9})
            side.close(1001)

        for options, kinds in (({}, ["welcome", "subscribed", "end", "end"]), ({"stop_at_end": False}, ["welcome", "subscribed", "end", "end", "synergy"])):
            server = self.serve(script)
            messages = list(sc.subscribe(server.url(), timeout=5, **options))
            self.assertEqual([m["type"] for m in messages], kinds, options)

    def test_a_history_that_holds_the_end_ends_the_generator_after_it(self):
        def script(side, seen):
            side.send_json({"type": "welcome", "protocol": 1})
            side.recv_json()
            side.send_json({"type": "subscribed"})
            side.send_json({"type": "history", "alerts": [], "updates": [{"type": "synergy", "t": 5}], "ended": [{"type": "end", "source": None, "t": 5}]})
            SubscribeTest.answer_close(side, seen)

        server = self.serve(script)
        messages = list(sc.subscribe(server.url(), history=True, timeout=5))
        self.assertEqual([m["type"] for m in messages], ["welcome", "subscribed", "history"])
        self.assertEqual(server.seen, [("close", 8, 1000)])

    def test_updates_yields_the_history_then_live_updates_in_order_once_each_with_all_their_pairs(self):
        # The server's order (docs/PROTOCOL.md, "History"): updates from the connection on, subscribed, the history
        # (which holds those too, each trimmed to its strongest pairs), the latest update again, then live ones.
        full = lambda t: {"type": "synergy", "t": t, "window": [t - 5, t], "pairs": [{"a": 1, "b": 2}, {"a": 1, "b": 3}]}  # noqa: E731
        trimmed = lambda t: dict(full(t), pairs=full(t)["pairs"][:1])  # noqa: E731

        def script(side, seen):
            side.send_json({"type": "welcome", "protocol": 1})
            side.send_json(full(5))
            side.send_json(full(6))
            seen.append(side.recv_json())
            side.send_json({"type": "subscribed", "topics": ["synergy"], "top": 3, "sources": None, "history": True})
            side.send_json({"type": "history", "alerts": [], "updates": [trimmed(t) for t in (1, 2, 3, 4, 5, 6)], "ended": []})
            side.send_json(full(6))  # the latest, again
            side.send_json(full(7))
            side.send_json({"type": "end", "source": None, "t": 7, "updates": 7, "message": "over"})
            SubscribeTest.answer_close(side, seen)

        server = self.serve(script)
        got = list(sc.updates(server.url(), history=True, top=3, timeout=5))
        self.assertEqual([m["t"] for m in got], [1, 2, 3, 4, 5, 6, 7])
        self.assertEqual([len(m["pairs"]) for m in got], [1, 1, 1, 1, 2, 2, 2])  # the fuller copy of 5, 6
        self.assertEqual(server.seen[0], {"type": "subscribe", "topics": ["synergy"], "top": 3, "history": True})

    def test_updates_with_history_from_a_server_without_it_passes_everything_on(self):
        def script(side, seen):
            side.send_json({"type": "welcome", "protocol": 1})
            side.send_json({"type": "synergy", "t": 4})
            side.recv_json()
            side.send_json({"type": "subscribed", "topics": ["synergy"], "top": None, "sources": None})  # no "history": true
            side.send_json({"type": "synergy", "t": 4})
            side.send_json({"type": "synergy", "t": 5})
            side.close(1001)

        server = self.serve(script)
        self.assertEqual([m["t"] for m in sc.updates(server.url(), history=True, timeout=5)], [4, 5])

    def test_updates_takes_a_resend_once_and_two_snapshots_of_one_step_twice(self):
        def script(side, seen):
            side.send_json({"type": "welcome", "protocol": 1})
            side.send_json({"type": "synergy", "t": 7, "window": [0, 7]})  # sent from the connection on
            side.recv_json()
            side.send_json({"type": "subscribed"})
            side.send_json({"type": "synergy", "t": 7, "window": [0, 7]})  # the latest, again
            side.send_json({"type": "synergy", "t": 500, "snapshot": 0, "source": "net"})
            side.send_json({"type": "synergy", "t": 500, "snapshot": 1, "source": "net"})  # another snapshot at the same step
            side.close(1001)

        server = self.serve(script)
        got = list(sc.updates(server.url(), timeout=5))
        self.assertEqual([(m["t"], m.get("snapshot")) for m in got], [(7, None), (500, 0), (500, 1)])

    def test_matrix_frames_are_decoded(self):
        header = json.dumps({"source": None, "t": 12, "units": [3, 7, 9], "alpha": 0.05, "significant": 1, "modes": [[11, 12, "go"]]}).encode()
        values = np.array([0.5, -0.25, 0.125], dtype="<f4")  # (3,7), (3,9), (7,9)
        flags = bytes([0, 1, 0])
        frame = b"SSMX" + struct.pack("<I", len(header)) + header + b"\0" * (-(8 + len(header)) % 4) + values.tobytes() + flags

        matrix = sc.decode_matrix_frame(frame)
        self.assertEqual((matrix["type"], matrix["t"], matrix["units"], matrix["significant"]), ("matrix", 12, [3, 7, 9], 1))
        self.assertEqual(matrix["synergy"][0, 1], 0.5)
        self.assertEqual(matrix["synergy"][2, 0], -0.25)
        self.assertEqual(matrix["synergy"][2, 1], 0.125)
        self.assertTrue(np.isnan(matrix["synergy"][1, 1]))
        self.assertEqual(matrix["significant_pairs"].tolist(), [[False, False, True], [False, False, False], [True, False, False]])
        with self.assertRaises(sc.WebSocketError):
            sc.decode_matrix_frame(frame[:-1])
        with self.assertRaises(sc.WebSocketError):
            sc.decode_matrix_frame(b"SSPK" + frame[4:])

        def script(side, seen):
            side.send_json({"type": "welcome", "protocol": 1})
            seen.append(side.recv_json())
            side.send_frame(2, frame)
            side.close(1001)

        server = self.serve(script)
        messages = list(sc.subscribe(server.url(), topics=("matrix",), timeout=5))
        self.assertEqual([m["type"] for m in messages], ["welcome", "matrix"])
        self.assertEqual(messages[1]["units"], [3, 7, 9])
        self.assertEqual(server.seen, [{"type": "subscribe", "topics": ["matrix"]}])


if __name__ == "__main__":
    unittest.main()
