#!/usr/bin/env python3
"""Writes the fuzz seeds that start next to session 15's new edges.

Snapshots store the term postings (format 3 on) and the CPV postings
(format 4 on), checked on load for structure only, not against the
suppliers' terms and codes (doc/snapshot.md):

  snapshot/three_suppliers_postings_rotated.snap   three_suppliers.snap
      (make_seeds) with the one-byte lists of its single-posting terms
      rotated among those terms, so that the postings name docs (0-2) that
      lack the terms: structurally valid, inconsistent, and matched by the
      target (its checksums are stale: the target reseals every input);
  snapshot/three_suppliers_cpv_postings_rotated.snap   the same with the
      docs of its single-doc CPV postings lists rotated among those lists
      (session 16).

Session 15 also made three readers of text skip ASCII eight bytes at a time:
FirstInvalidUtf8Offset (lib/utf8.cc, the records' UTF-8 checks),
AppendFoldedByRune (lib/internal/alert_rule.cc, alert notices and phrases).
These seeds start the fuzzer with a bad or non-ASCII sequence after every
ASCII run of 0 to 17 bytes, so that a mutation is one step from each edge:

  records_jsonl/{suppliers,tenders}_utf8_offsets.jsonl   a record a line,
      the name (title) being the run and then an invalid sequence (a stray
      continuation byte, a truncated lead, an overlong form, a surrogate) or
      a valid accented letter;
  records_textproto/{supplier,tender}_utf8_offsets.textproto   the same
      in one record (a file holds one), each a value of a repeated field
      (alternative_names, nuts_codes), the invalid ones as escapes: the
      text format parser keeps invalid UTF-8 (the JSON one refuses it), so
      they reach the Validator's walk and FieldPath's indices;
  alert_rules/mixed_ascii_accents.jsonl   a notice whose title (glued) and
      description (spaced) mix runs of ASCII (upper case too) with letters
      whose folding changes their length, and rules with phrases cut from
      them;
  alert_rules/lots_invalid_utf8.jsonl   (session 16) the same runs in the
      notice's lots, each followed by a valid letter or an invalid sequence
      written as the harness's escapes (U+F780 + byte - 0x80, made raw bytes
      by the target): the lots are folded, checked and cut into trigrams in
      one pass (PrefilterFolds::AppendFoldAndApply), which falls back to
      FoldText's way at the first invalid rune; rules with patterns (the
      prefilter) and phrases cut from the lots.

Run from the repository root, after make_seeds:
python3 tests/fuzz/make_edge_seeds.py
"""
import json
import pathlib
import struct

CORPUS = pathlib.Path("tests/fuzz/corpus")
# What follows each run: invalid (continuation, truncated 2- and 3-byte
# leads, overlong '/', a UTF-16 surrogate, 0xFF) or valid (e-acute, the
# sharp s, the dotted capital I, the ligature fi, a 4-byte emoji).
BAD = [b"\x80", b"\xc3", b"\xe2\x82", b"\xc0\xaf", b"\xed\xa0\x80", b"\xff"]
GOOD = ["é", "ß", "İ", "ﬁ", "\U0001F680"]
RUNS = range(18)


def run(k):
    return ("Drone" * 4)[:k]


def json_lines(seed_file, key, prefix):
    first = (CORPUS / "records_jsonl" / seed_file).read_bytes()[1:].split(
        b"\n")[0]
    # Its short scalar fields only: 108 whole records would make each
    # execution parse 300 KB.
    record = {k: v for k, v in json.loads(first).items()
              if not isinstance(v, (list, dict)) and len(str(v)) < 48}
    out = [prefix]
    for k in RUNS:
        for tail in BAD + [g.encode() for g in GOOD]:
            record[key] = "@"
            line = json.dumps(record, ensure_ascii=False).encode()
            value = run(k).encode() + tail + b" tail"
            out.append(line.replace(b'"@"', b'"' + value + b'"', 1) + b"\n")
    return b"".join(out)


def textproto(seed_file, key):
    record = (CORPUS / "records_textproto" / seed_file).read_bytes()
    out = [record.rstrip(b"\n"), b"\n"]
    for k in RUNS:
        for tail in BAD + [g.encode() for g in GOOD]:
            escaped = "".join("\\%03o" % b for b in tail).encode()
            out.append(key + b': "' + run(k).encode() + escaped + b'"\n')
    return b"".join(out)


def alert_seed():
    pieces = []
    for k in RUNS:
        pieces.append(run(k).upper() if k % 2 else run(k))
        pieces.append(GOOD[k % len(GOOD)])
    text = " ".join(pieces)
    notice = {
        "id": "TED-000001-2026", "language": "fr", "main_cpv": "35613000",
        "title": "ÉQUIPEMENT " + "".join(pieces), "description": text + " ΣΟΦΊΑ σοφίας",
        "notice_kind": "NOTICE_KIND_CONTRACT_NOTICE", "nuts_codes": ["BE"],
        "published": "2026-01-01T00:00:00Z",
        "buyer": {"country": "BE", "name": "Défense – Straße İstanbul"},
    }
    lines = [json.dumps(notice, ensure_ascii=False)]
    for k in range(1, 18, 2):
        phrase = " ".join(pieces[k:k + 3]).strip() or "drone"
        lines.append(json.dumps({
            "id": "rule-%d" % k, "name": "Phrase %d" % k,
            "subscriber": "BE-0410472920", "keyword_language": "fr",
            "keywords": [phrase, phrase.upper(), "ﬁ" + run(k)],
        }, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode()


def rotated_postings():
    snap = bytearray((CORPUS / "snapshot" / "three_suppliers.snap").read_bytes())
    sections = struct.unpack_from("<I", snap, 16)[0]
    for k in range(sections):
        kind, _, offset, length = struct.unpack_from("<IIQQ", snap, 24 + 24 * k)
        if kind == 6:  # The term postings (lib/snapshot.cc).
            break
    # Its term count: the one whose starts end at the postings' size.
    terms = next(t for t in range(1, length // 12 + 1)
                 if struct.unpack_from("<Q", snap, offset + 8 * t)[0] ==
                 length - 8 * (t + 1) - (4 * t + 7) // 8 * 8)
    starts = struct.unpack_from("<%dQ" % (terms + 1), snap, offset)
    counts = struct.unpack_from("<%dI" % terms, snap, offset + 8 * (terms + 1))
    coded = offset + 8 * (terms + 1) + (4 * terms + 7) // 8 * 8
    single = [coded + starts[t] for t in range(terms)
              if counts[t] == 1 and starts[t + 1] - starts[t] == 1]
    rotated = [snap[at] for at in single[1:] + single[:1]]
    for at, byte in zip(single, rotated):
        snap[at] = byte
    return bytes(snap)


def rotated_cpv_postings():
    snap = bytearray((CORPUS / "snapshot" / "three_suppliers.snap").read_bytes())
    sections = struct.unpack_from("<I", snap, 16)[0]
    for k in range(sections):
        kind, _, offset, length = struct.unpack_from("<IIQQ", snap, 24 + 24 * k)
        if kind == 7:  # The CPV postings (lib/snapshot.cc, format 4).
            break
    lists = struct.unpack_from("<Q", snap, offset)[0]
    ends = struct.unpack_from("<%dQ" % lists, snap, offset + 8)
    docs = offset + 8 + 8 * lists + (4 * lists + 7) // 8 * 8
    single = [docs + 4 * (ends[i] - 1) for i in range(lists)
              if ends[i] - (ends[i - 1] if i else 0) == 1]
    rotated = [bytes(snap[at:at + 4]) for at in single[1:] + single[:1]]
    for at, doc in zip(single, rotated):
        snap[at:at + 4] = doc
    return bytes(snap)


def escaped(raw):
    # The alert_rules target's escapes of raw bytes 0x80-0xFF.
    return "".join(chr(0xF780 + b - 0x80) for b in raw)


def lots_seed():
    lots = []
    for k in RUNS:
        good = GOOD[k % len(GOOD)]
        bad = escaped(BAD[k % len(BAD)])
        text = run(k).upper() if k % 2 else run(k)
        lots.append({
            "id": "L%d" % k, "title": text + good + run(8),
            "description": text + bad + " Straße " + run(k + 1),
            "main_cpv": "35613000",
        })
    notice = {
        "id": "TED-000002-2026", "language": "de", "main_cpv": "35613000",
        "title": "Drohnen", "description": "Drohnen und Ausrüstung",
        "notice_kind": "NOTICE_KIND_CONTRACT_NOTICE", "nuts_codes": ["DE"],
        "published": "2026-01-01T00:00:00Z",
        "buyer": {"country": "DE", "name": "Bundesamt"},
        "lots": lots,
    }
    lines = [json.dumps(notice, ensure_ascii=False)]
    for k in range(0, 18, 3):
        lines.append(json.dumps({
            "id": "rule-%d" % k, "name": "Lot %d" % k,
            "subscriber": "DE-123456789", "keyword_language": "de",
            "keywords": [run(k + 1) + " straße", "ﬁ" + run(k)],
        }, ensure_ascii=False))
        # Patterns alone: a rule with keywords is decided by its phrases
        # before its patterns' prefilter reads the lots.
        lines.append(json.dumps({
            "id": "pattern-%d" % k, "name": "Pattern %d" % k,
            "subscriber": "DE-123456789",
            "keyword_patterns": ["%s\\w* stra(ss|ß)e" % run(k + 1)[-3:].lower()],
        }, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode()


def main():
    targets = {
        "records_jsonl/suppliers_utf8_offsets.jsonl":
            json_lines("suppliers_2.jsonl", "name", b"0"),
        "records_jsonl/tenders_utf8_offsets.jsonl":
            json_lines("tenders_2.jsonl", "title", b"1"),
        "records_textproto/supplier_utf8_offsets.textproto":
            textproto("supplier.textproto", b"alternative_names"),
        "records_textproto/tender_utf8_offsets.textproto":
            textproto("tender.textproto", b"nuts_codes"),
        "alert_rules/mixed_ascii_accents.jsonl": alert_seed(),
        "alert_rules/lots_invalid_utf8.jsonl": lots_seed(),
        "snapshot/three_suppliers_postings_rotated.snap": rotated_postings(),
        "snapshot/three_suppliers_cpv_postings_rotated.snap":
            rotated_cpv_postings(),
    }
    for path, content in targets.items():
        (CORPUS / path).write_bytes(content)


if __name__ == "__main__":
    main()
