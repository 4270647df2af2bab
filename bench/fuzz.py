"""Fuzzing the readers with mutated real catalogs: a catalog built from a demo baseline is written in every
format the harvester reads (HTML, XLSX, legacy XLS, DOCX, CSV in UTF-8 and GBK, JSON), then its bytes are
mutated (bytes flipped, runs cut, duplicated or moved, magic values and huge numbers written in, the file
truncated, and, for zip formats, one member mutated and the archive rebuilt) and each mutant is parsed.

An input counts as handled when parse_document returns (every problem is a located finding); an exception
out of it is unhandled, and a worker process that dies (a native library aborting) is a crash. Each format
runs in its own worker process, restarted after a crash, so one crash does not hide the rest.

    python bench/fuzz.py [--per-format 2000] [--seed 1] [--json]

The suite runs it with a few hundred inputs per format (tests/harvesters/test_fuzz.py).
"""
from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import random
import sys
import time
import traceback
import zipfile

FORMATS = ("html", "xlsx", "xls", "docx", "csv", "csv-gbk", "json")
MAGIC = [b"\x00", b"\xff" * 4, b"<", b">", b'"', b"\r", b"\n", b"\\", b"PK\x03\x04", b"<table>", b"</td>", b"&#",
         b'rowspan="999999"', b'colspan="-1"', b"9" * 30, b"-1", b"\xef\xbb\xbf", b"\xe2\x96\xa1", b"\x1a", b"[" * 50]


def seeds() -> dict:
    """{format: bytes}: one real-shaped catalog per format."""
    from ckanext_gkcatalog.baseline import demo_baseline_files, load_baseline
    from ckanext_gkcatalog.demo.province import baseline_items
    from ckanext_gkcatalog.writers import table_rows, write_catalog

    path = next(p for p in demo_baseline_files() if "social_assistance" in p.name)
    baseline = load_baseline(path.read_bytes(), path.name)
    items = [dict(i, county_code="990101", county_name="青山县") for i in baseline_items(baseline)]
    title = "青山县社会救助领域基层政务公开标准目录"
    out = {fmt: write_catalog(items[:12], fmt, title) for fmt in FORMATS if fmt != "xls"}
    out["xls"] = _xls(table_rows(items[:12]))
    return out


def _xls(rows: list) -> bytes:
    import xlwt  # the test extra: the only writer of legacy .xls

    book = xlwt.Workbook()
    sheet = book.add_sheet("社会救助")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def mutate(data: bytes, rng: random.Random) -> bytes:
    if data[:2] == b"PK" and rng.random() < 0.5:
        return _mutate_member(data, rng)
    buf = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3, 8))):
        if not buf:
            buf.extend(rng.choice(MAGIC))
            continue
        at = rng.randrange(len(buf))
        op = rng.randrange(7)
        if op == 0:
            buf[at] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[at:at + rng.randint(1, 64)] = b""
        elif op == 2:
            end = min(len(buf), at + rng.randint(1, 256))
            buf[at:at] = buf[at:end] * rng.randint(1, 8)
        elif op == 3:
            buf[at:at] = rng.choice(MAGIC)
        elif op == 4:
            buf[at:at + 4] = rng.choice(MAGIC)[:4]
        elif op == 5:
            del buf[at:]
        else:
            other = rng.randrange(len(buf))
            chunk = bytes(buf[at:at + 32])
            buf[other:other] = chunk
    return bytes(buf)


def _mutate_member(data: bytes, rng: random.Random) -> bytes:
    """Mutate one member of a zip package and rebuild it, so the damage reaches the XML parsers."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        names = source.namelist()
        target = rng.choice([n for n in names if n.endswith(".xml")] or names)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in names:
                body = source.read(name)
                archive.writestr(name, mutate(body, rng) if name == target else body)
        return out.getvalue()
    except Exception:  # the seed is a valid package; a mutated one may not be: fall back to raw mutation
        return mutate(data[2:], rng)


def _worker(fmt: str, data: bytes, seed: int, start: int, count: int, queue) -> None:
    from ckanext_gkcatalog.harvesters.parse import parse_document

    name = f"fuzz.{fmt.split('-')[0]}"
    for index in range(start, count):
        mutant = mutate(data, random.Random(f"{seed}-{fmt}-{index}"))
        queue.put(("start", index))
        try:
            parse_document(mutant, name)
            queue.put(("ok", index))
        except Exception as exc:  # noqa: BLE001 - what the fuzzer is looking for
            queue.put(("unhandled", index, type(exc).__name__, traceback.format_exc(limit=3)[-600:]))


def fuzz_format(fmt: str, data: bytes, seed: int, count: int) -> dict:
    context = multiprocessing.get_context("spawn")
    result = {"tried": 0, "unhandled": 0, "crashes": 0, "examples": []}
    start = 0
    while start < count:
        queue = context.Queue()
        # not a daemon: the readers start sandbox processes of their own
        process = context.Process(target=_worker, args=(fmt, data, seed, start, count, queue))
        process.start()
        current = None
        while True:
            try:
                message = queue.get(timeout=1)
            except Exception:  # queue.Empty: is the worker still alive?
                if process.is_alive():
                    continue
                break
            if message[0] == "start":
                current = message[1]
            elif message[0] == "ok":
                result["tried"] += 1
                current = None
            else:
                result["tried"] += 1
                result["unhandled"] += 1
                result["examples"].append({"index": message[1], "error": message[2], "trace": message[3]})
                current = None
            if message[1] == count - 1 and message[0] != "start":
                break
        process.join(5)
        if process.is_alive():
            process.kill()
        if current is None:
            break
        result["tried"] += 1  # the input the worker died on
        result["crashes"] += 1
        result["examples"].append({"index": current, "error": f"worker died (exit code {process.exitcode})"})
        start = current + 1
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-format", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", nargs="*", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    started = time.perf_counter()
    results = {fmt: fuzz_format(fmt, data, args.seed, args.per_format) for fmt, data in seeds().items()
               if fmt in args.formats}
    took = time.perf_counter() - started
    if args.json:
        print(json.dumps({"seconds": round(took, 1), "formats": results}, ensure_ascii=False))
        return
    print(f"{'format':<10} {'inputs':>8} {'unhandled':>10} {'crashes':>8}")
    for fmt, r in results.items():
        print(f"{fmt:<10} {r['tried']:>8} {r['unhandled']:>10} {r['crashes']:>8}  {'█' * round(30 * r['tried'] / args.per_format)}")
        for example in r["examples"][:3]:
            print(f"    #{example['index']}: {example['error']}")
    total = {k: sum(r[k] for r in results.values()) for k in ("tried", "unhandled", "crashes")}
    print(f"{'all':<10} {total['tried']:>8} {total['unhandled']:>10} {total['crashes']:>8}   in {took:.0f} s")
    sys.exit(1 if total["unhandled"] or total["crashes"] else 0)


if __name__ == "__main__":
    main()
