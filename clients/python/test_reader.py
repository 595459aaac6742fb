"""Tests of the readers of synergy_client (read_updates, read_update_table,
read_groups, read_alerts) on small JSONL files written here: canonical pair
order, unit id types, the run header as attrs, what is skipped, and the
errors. Without pandas (Debian: python3-pandas) only the test that the
rest of the client works without it runs (load_tests below), so that
`unittest discover` still ends in a plain OK; test/clients/pythonReader.test.ts
reports the skip. Run: /usr/bin/python3 -m unittest discover -s clients/python
"""

import gzip
import json
import os
import subprocess
import sys
import tempfile
import unittest
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synergy_client as sc  # noqa: E402

try:
    import pandas as pd
except ImportError:  # the readers need pandas; the rest of the client does not
    pd = None

HEADER = {
    "type": "run",
    "version": "0.1.0",
    "command": "replay",
    "source": "session.nwb",
    "format": "nwb",
    "options": {"bin": 0.02, "window": 60, "hop": 1, "estimator": "jackknife", "surrogates": 99, "groupUnits": [{"name": "CA1", "units": ["3", "7"]}]},
    "seed": 0,
    "started": "2026-12-03T08:00:00.000Z",
}


def pair(a, b, synergy, ia=0.1, ib=0.2, **more):
    return dict({"a": a, "b": b, "joint": synergy + ia + ib, "ia": ia, "ib": ib, "synergy": synergy, "normalized": None}, **more)


def update(t, pairs, **more):
    return dict(
        {
            "type": "synergy",
            "t": t,
            "window": [t - 60, t],
            "samples": 3000,
            "labels": {"go": 1500, "nogo": 1500},
            "estimator": "jackknife",
            "levels": 3,
            "dropped": {"unlabeled": 0, "late": 0},
            "units": 3,
            "pairsComputed": 3,
            "pairs": pairs,
        },
        **more,
    )


class ReaderTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, lines, name="updates.jsonl", end="\n"):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as handle:
            handle.write("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + end)
        return path

    def test_one_row_per_update_and_pair_with_the_run_header_as_attrs(self):
        path = self.write(
            [
                HEADER,
                update(60, [pair(3, 7, 0.5, p=0.01, p_fwer=0.02, p_fwer_tail=1e-9, q=0.03, excess=0.4), pair(7, 9, -0.25, p=0.5, p_fwer=1, p_fwer_tail=1, q=1, excess=-0.1)], alpha=0.05, surrogates=99, effective_surrogates=40, significant=1),
                update(61, [pair(3, 9, 0.125, p=0.2, p_fwer=0.9, p_fwer_tail=0.8, q=0.5, excess=0.01)], alpha=0.05, surrogates=99, effective_surrogates=40, significant=0),
            ]
        )
        df = sc.read_updates(path)
        self.assertEqual(
            list(df.columns),
            ["update", "t", "window_start", "window_end", "samples", "a", "b", "joint", "ia", "ib", "synergy", "normalized", "excess", "p", "p_fwer", "p_fwer_tail", "q", "alpha", "surrogates", "effective_surrogates", "significant", "units", "estimator"],
        )
        self.assertEqual(len(df), 3)
        self.assertEqual(df["update"].tolist(), [0, 0, 1])
        self.assertEqual(df["t"].tolist(), [60.0, 60.0, 61.0])
        self.assertEqual(df["window_start"].tolist(), [0.0, 0.0, 1.0])
        self.assertEqual(df["synergy"].tolist(), [0.5, -0.25, 0.125])
        self.assertTrue(df["normalized"].isna().all())
        self.assertEqual(df["p_fwer_tail"].tolist(), [1e-9, 1.0, 0.8])
        for column in ("update", "samples", "a", "b", "surrogates", "effective_surrogates", "significant", "units"):
            self.assertEqual(df[column].dtype, np.int64, column)
        for column in ("t", "joint", "ia", "ib", "synergy", "normalized", "p", "q", "alpha"):
            self.assertEqual(df[column].dtype, np.float64, column)
        self.assertEqual(df.attrs["run"], HEADER)
        self.assertEqual(df.attrs["options"], HEADER["options"])
        self.assertEqual((df.attrs["version"], df.attrs["command"], df.attrs["source"], df.attrs["format"], df.attrs["seed"]), ("0.1.0", "replay", "session.nwb", "nwb", 0))
        self.assertEqual(df.attrs["groups"], {"CA1": [3, 7]})
        self.assertEqual(df.attrs["path"], path)
        self.assertEqual(df.attrs["skipped"], {})
        # The three lines of the README.
        pair_3_7 = df[(df.a == 3) & (df.b == 7)]
        self.assertEqual(pair_3_7["synergy"].tolist(), [0.5])

    def test_pairs_come_in_canonical_order_with_ia_and_ib_swapped(self):
        # Older versions wrote ids as text and in the order the pair was met.
        path = self.write([HEADER, update(5, [pair("7", "3", 0.5, ia=0.1, ib=0.2), pair("3", "12", 0.25, ia=0.3, ib=0.4), pair(12, 7, -0.5, ia=0.5, ib=0.6)])])
        df = sc.read_updates(path)
        self.assertEqual(df["a"].dtype, np.int64)
        self.assertEqual(df["b"].dtype, np.int64)
        self.assertEqual(list(zip(df["a"], df["b"])), [(3, 7), (3, 12), (7, 12)])  # numerically: 3 < 12 (not "12" < "3")
        self.assertEqual(list(zip(df["ia"], df["ib"])), [(0.2, 0.1), (0.3, 0.4), (0.6, 0.5)])
        self.assertTrue((df["a"] < df["b"]).all())
        self.assertTrue(np.allclose(df["synergy"], df["joint"] - df["ia"] - df["ib"]))

    def test_ids_are_text_unless_every_one_is_a_whole_number(self):
        # "012", "1.0" and "A-000:1" are not whole numbers (src/stream/unitIds.ts): the whole file's ids are text.
        path = self.write([HEADER, update(5, [pair(3, 7, 0.1), pair("u2", 3, 0.2, ia=0.3, ib=0.4), pair("u10", "u2", 0.3), pair("012", 12, 0.4)])])
        df = sc.read_updates(path)
        self.assertEqual(df["a"].dtype, object)
        self.assertTrue(all(isinstance(unit, str) for unit in list(df["a"]) + list(df["b"])))
        # Whole numbers first, numerically; then text in code unit order ("012" < "u10" < "u2"), as the analyzer orders them.
        self.assertEqual(list(zip(df["a"], df["b"])), [("3", "7"), ("3", "u2"), ("u10", "u2"), ("12", "012")])
        self.assertEqual((df["ia"][1], df["ib"][1]), (0.4, 0.3))
        self.assertEqual(df.attrs["groups"], {"CA1": ["3", "7"]})
        # Negative whole numbers are numbers.
        df = sc.read_updates(self.write([update(5, [pair("-3", 2, 0.1), pair(2, -10, 0.2)])], name="negative.jsonl"))
        self.assertEqual(df["a"].dtype, np.int64)
        self.assertEqual(list(zip(df["a"], df["b"])), [(-3, 2), (-10, 2)])

    def test_without_a_run_header_attrs_are_empty_and_untyped_updates_are_read(self):
        # The first versions wrote neither the header nor "type" (DESIGN §4).
        untyped = update(5, [pair("1", "2", 0.1)])
        del untyped["type"]
        df = sc.read_updates(self.write([untyped]))
        self.assertEqual(len(df), 1)
        self.assertEqual((df.attrs["run"], df.attrs["options"]), ({}, {}))
        self.assertNotIn("version", df.attrs)

    def test_updates_without_pairs_are_in_the_update_table_only(self):
        path = self.write([HEADER, update(1, []), update(2, [pair(1, 2, 0.1), pair(1, 3, 0.2)]), update(3, [])])
        df = sc.read_updates(path)
        self.assertEqual(df["update"].tolist(), [1, 1])
        self.assertEqual(df.attrs["skipped"], {"synergy": 2})
        table = sc.read_update_table(path)
        self.assertEqual(table["update"].tolist(), [0, 1, 2])
        self.assertEqual(table["t"].tolist(), [1.0, 2.0, 3.0])
        self.assertEqual(table["pairs_listed"].tolist(), [0, 2, 0])
        self.assertEqual(table["pairs_computed"].tolist(), [3, 3, 3])
        self.assertEqual(table["dropped_late"].dtype, np.int64)
        self.assertEqual(table["labels"][1], {"go": 1500, "nogo": 1500})
        self.assertEqual(table.attrs["run"], HEADER)
        # Pair rows join their update by `update`.
        joined = df.merge(table[["update", "pairs_listed"]], on="update")
        self.assertEqual(joined["pairs_listed"].tolist(), [2, 2])

    def test_an_update_table_of_trials_and_snapshots(self):
        path = self.write(
            [
                update(10, [], trials=[100, 200], conflated=2),
                update(11, [], step=11, snapshot=0, snapshots_dropped=0, future_field="x"),
            ]
        )
        table = sc.read_update_table(path)
        self.assertEqual(table["trial_first"].tolist(), [100, pd.NA])
        self.assertEqual(str(table["trial_first"].dtype), "Int64")
        self.assertEqual(table["step"].tolist()[1], 11.0)
        self.assertEqual(str(table["conflated"].dtype), "Int64")
        self.assertEqual(table["future_field"].tolist(), [None, "x"])

    def test_source_column_for_files_of_serve(self):
        path = self.write([HEADER, update(1, [pair(1, 2, 0.1)], source="rig-1"), update(1, [pair(1, 2, 0.3)], source="rig-2")])
        df = sc.read_updates(path)
        self.assertEqual(list(df.columns[:3]), ["update", "source", "t"])
        self.assertEqual(df["source"].tolist(), ["rig-1", "rig-2"])

    def test_alerts_and_other_messages_are_skipped_and_counted_unknown_types_warn(self):
        path = self.write(
            [
                HEADER,
                update(1, [pair(1, 2, 0.1)]),
                {"type": "alert", "state": "raised", "kind": "synergy", "t": 1, "a": 1, "b": 2, "value": 0.1, "message": "m"},
                {"type": "status", "wallMs": 1, "sources": []},
                {"type": "surprise", "x": 1},
                {"type": "surprise", "x": 2},
                update(2, [pair(1, 2, 0.2)]),
                {"type": "end", "source": None, "t": 2, "updates": 2, "message": "done"},
            ]
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = sc.read_updates(path)
        self.assertEqual(len(df), 2)
        self.assertEqual(df.attrs["skipped"], {"alert": 1, "status": 1, "surprise": 2, "end": 1})
        self.assertEqual(df.attrs["end"], [{"type": "end", "source": None, "t": 2, "updates": 2, "message": "done"}])
        self.assertEqual(len(caught), 1)
        self.assertIn("surprise: 2 (first at 5)", str(caught[0].message))
        self.assertEqual(caught[0].filename, __file__)  # the warning points at the caller

    def test_a_malformed_line_names_the_file_and_line(self):
        cases = [
            ([HEADER, update(1, []), '{"type":"synergy","t":2,'], 3, "not JSON"),
            ([HEADER, "[1, 2]"], 2, "not a JSON object"),
            ([HEADER, update(1, []), {"type": "synergy", "pairs": []}], 3, 'numeric "t"'),
            ([HEADER, update(1, [{"a": 1, "synergy": 0.1}])], 2, '"a" and "b"'),
            ([HEADER, update(1, [pair(1, 2, 0.1)]), update(2, [dict(pair(1, 2, 0.1), synergy="big")])], 3, "'synergy' is \"big\", not a number"),
            ([HEADER, update(1, [], window=[0])], 2, '"window"'),
        ]
        for lines, line, words in cases:
            path = self.write(lines, name="bad.jsonl")
            with self.assertRaises(sc.ReadError) as caught:
                sc.read_updates(path)
            self.assertEqual((caught.exception.path, caught.exception.line), (path, line), words)
            self.assertTrue(str(caught.exception).startswith("%s, line %d: " % (path, line)), str(caught.exception))
            self.assertIn(words, str(caught.exception))
            self.assertIsInstance(caught.exception, ValueError)

    def test_an_incomplete_last_line_is_skipped_with_a_warning(self):
        # A run still writing its --out file: the last line has no newline yet.
        path = self.write([HEADER, update(1, [pair(1, 2, 0.1)]), '{"type":"synergy","t":2,"pa'], end="")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = sc.read_updates(path)
        self.assertEqual(len(df), 1)
        self.assertEqual(df.attrs["incomplete_last_line"], 3)
        self.assertIn("line 3: the last line is incomplete", str(caught[0].message))
        self.assertEqual(caught[0].filename, __file__)

    def test_several_run_headers_warn_and_are_all_kept(self):
        second = dict(HEADER, started="later")
        path = self.write([HEADER, update(1, [pair(1, 2, 0.1)]), second, update(1, [pair(1, 2, 0.2)])])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = sc.read_updates(path)
        self.assertEqual(df.attrs["run"], HEADER)
        self.assertEqual(df.attrs["runs"], [HEADER, second])
        self.assertIn("2 run headers", str(caught[0].message))

    def test_an_empty_file_gives_an_empty_table_with_the_main_columns(self):
        df = sc.read_updates(self.write([HEADER]))
        self.assertEqual(len(df), 0)
        self.assertEqual(list(df.columns), ["update", "t", "window_start", "window_end", "samples", "a", "b", "joint", "ia", "ib", "synergy", "normalized"])
        self.assertEqual(df.attrs["run"], HEADER)

    def test_gzip_files_open_files_and_lists_of_messages(self):
        lines = [HEADER, update(1, [pair(2, 1, 0.1)])]
        gz = os.path.join(self.dir.name, "updates.jsonl.gz")
        with gzip.open(gz, "wt") as handle:
            handle.write("".join(json.dumps(line) + "\n" for line in lines))
        self.assertEqual(sc.read_updates(gz)[["a", "b"]].values.tolist(), [[1, 2]])
        with open(self.write(lines)) as handle:
            self.assertEqual(sc.read_updates(handle).attrs["run"], HEADER)
        # What subscribe() yielded: the welcome's run header, a history's updates, then live ones.
        messages = [
            {"type": "welcome", "protocol": 1, "run": HEADER},
            {"type": "subscribed"},
            {"type": "history", "alerts": [], "updates": [update(1, [pair(1, 2, 0.1)])], "ended": []},
            update(2, [pair(1, 2, 0.2)]),
        ]
        df = sc.read_updates(messages)
        self.assertEqual(df["t"].tolist(), [1.0, 2.0])
        self.assertEqual(df.attrs["run"], HEADER)
        self.assertEqual(df.attrs["skipped"], {"welcome": 1, "subscribed": 1})
        # The server's order: updates from the connection on, subscribed, the history (holding them too, trimmed), the latest
        # again, live ones: each update once, in order, the copy with the most pairs; alerts likewise.
        alert = lambda t, kind: {"type": "alert", "state": "raised", "kind": kind, "t": t, "a": 1, "b": 2, "message": kind}  # noqa: E731
        two = [pair(1, 2, 0.1), pair(1, 3, 0.2)]
        messages = [
            {"type": "welcome", "protocol": 1, "run": HEADER},
            update(3, two),
            alert(3, "synergy"),
            {"type": "subscribed", "history": True},
            {"type": "history", "alerts": [alert(1, "redundancy"), alert(3, "synergy")], "updates": [update(t, two[:1]) for t in (1, 2, 3)], "ended": []},
            update(3, two),
            update(4, two),
            alert(4, "synergy"),
        ]
        df = sc.read_update_table(messages)
        self.assertEqual(df["t"].tolist(), [1.0, 2.0, 3.0, 4.0])
        self.assertEqual(df["pairs_listed"].tolist(), [1, 1, 2, 2])
        self.assertEqual(df.attrs["skipped"], {"welcome": 1, "subscribed": 1, "duplicate": 2, "alert": 3, "duplicate alert": 1})
        alerts = sc.read_alerts(messages)
        self.assertEqual(list(zip(alerts["t"], alerts["kind"])), [(1.0, "redundancy"), (3.0, "synergy"), (4.0, "synergy")])
        self.assertEqual(alerts.attrs["skipped"]["duplicate alert"], 1)
        with self.assertRaises(sc.ReadError) as caught:
            sc.read_updates([{"type": "synergy", "t": 1, "pairs": []}, "not a dict"])
        self.assertTrue(str(caught.exception).startswith("messages, message 2: "))

    def test_alerts(self):
        path = self.write(
            [
                HEADER,
                {"type": "alert", "state": "raised", "kind": "synergy", "t": 51, "a": "12", "b": "3", "value": 0.12, "p": 0.01, "p_fwer": 0.01, "p_fwer_tail": 2e-9, "message": "units 3 and 12"},
                {"type": "alert", "state": "raised", "kind": "sequence-gap", "t": 52.5, "source": "rig-1", "value": 3, "suppressed": 2, "message": "gap"},
                {"type": "alert", "state": "raised", "kind": "emergence", "t": 425, "series": "group:CA1", "measure": "oinfo", "change_t": 400, "before": 0.21, "after": -0.35, "crossing": "redundancy-to-synergy", "probability": 0.97, "value": -0.35, "message": "e"},
            ],
            name="alerts.jsonl",
        )
        alerts = sc.read_alerts(path)
        self.assertEqual(
            list(alerts.columns),
            ["source", "t", "state", "kind", "a", "b", "value", "p", "p_fwer", "p_fwer_tail", "suppressed", "series", "measure", "change_t", "before", "after", "crossing", "probability", "message"],
        )
        self.assertEqual(str(alerts["a"].dtype), "Int64")
        self.assertEqual((alerts["a"][0], alerts["b"][0]), (3, 12))
        self.assertTrue(alerts["a"][1] is pd.NA)
        self.assertEqual(alerts["kind"].tolist(), ["synergy", "sequence-gap", "emergence"])
        self.assertEqual(alerts["crossing"][2], "redundancy-to-synergy")
        self.assertEqual(alerts.attrs["run"], HEADER)
        # An updates file has no alerts: an empty table with the main columns.
        empty = sc.read_alerts(self.write([HEADER, update(1, [])]))
        self.assertEqual((len(empty), list(empty.columns)), (0, ["t", "state", "kind", "message"]))
        self.assertEqual(empty.attrs["skipped"], {"synergy": 1})

    def test_groups(self):
        group = {
            "name": "CA1", "units": 2, "measured": 2, "method": "discrete", "estimator": "jackknife", "samples": 3000,
            "oinfo": -0.04, "tc": 0.5, "dtc": 0.54, "sinfo": 1.04, "synergy": 0.06, "doinfo_y": -0.05,
            "p": {"oinfo": 0.02, "tc": 0.01, "dtc": 0.01, "sinfo": 0.01, "synergy": 0.01, "doinfo_y": 0.03},
            "surrogates": {"label": 99, "effective": 40, "unit": 99},
            "pairs": {"pairs": 1, "mean": 0.1, "q10": 0.1, "median": 0.1, "q90": 0.1, "significant": 1},
        }  # fmt: skip
        empty = dict(group, name="tiny", units=1, measured=1, oinfo=None, note="fewer than 2 measured units")
        population = {"name": "population", "units": 3, "measured": 3, "method": "gaussian-copula", "estimator": "gcmi", "samples": 3000, "oinfo": 0.001, "tc": 0.2, "dtc": 0.2, "sinfo": 0.4, "synergy": 0.3, "doinfo_y": -0.3}
        path = self.write([HEADER, update(1, [], groups=[group, empty], population=population), update(2, [pair(1, 2, 0.1)])])
        groups = sc.read_groups(path)
        self.assertEqual(groups["group"].tolist(), ["CA1", "tiny", "population"])
        self.assertEqual(groups["kind"].tolist(), ["group", "group", "population"])
        self.assertEqual(groups["update"].tolist(), [0, 0, 0])
        self.assertEqual(groups["p_doinfo_y"].tolist()[:2], [0.03, 0.03])
        self.assertTrue(np.isnan(groups["p_oinfo"][2]))
        self.assertTrue(np.isnan(groups["oinfo"][1]))
        self.assertEqual(groups["note"].tolist(), [None, "fewer than 2 measured units", None])
        self.assertEqual(groups["surrogates_effective"].tolist()[:2], [40, 40])
        self.assertEqual(groups["pair_count"].tolist()[:2], [1, 1])
        for column in ("oinfo", "tc", "dtc", "sinfo", "synergy", "doinfo_y", "p_oinfo", "pair_mean"):
            self.assertEqual(groups[column].dtype, np.float64, column)
        self.assertEqual(groups.attrs["groups"], {"CA1": [3, 7]})
        self.assertEqual(sc.read_groups(path, population=False)["group"].tolist(), ["CA1", "tiny"])
        self.assertEqual(len(sc.read_groups(self.write([HEADER, update(1, [])], name="none.jsonl"))), 0)


class WithoutPandasTest(unittest.TestCase):
    def test_the_sender_works_without_pandas_and_the_readers_say_what_is_missing(self):
        script = (
            "import sys; sys.modules['pandas'] = None; sys.path.insert(0, sys.argv[1]);"
            "import synergy_client as sc; assert len(sc.encode_snapshot_frame(0, 0, [[1.0]], [0])) == 44\n"
            "try:\n    sc.read_updates([])\nexcept ImportError as error:\n    print('ImportError', error)\n"
        )
        result = subprocess.run([sys.executable, "-c", script, os.path.dirname(os.path.abspath(__file__))], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("ImportError"), result.stdout)


def load_tests(loader, tests, pattern):
    """Every test here with pandas; without it, only WithoutPandasTest."""
    if pd is not None:
        return tests
    return loader.loadTestsFromTestCase(WithoutPandasTest)


if __name__ == "__main__":
    unittest.main()
