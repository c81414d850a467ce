#!/usr/bin/env python3
"""Ingest benchmark: N mixed small files (text, PDF, page images) through `attest import` and
`attest worker`, and the same page images through the `tesseract` command, in the same run.

Prints CSV rows `benchmark,value,unit,target,note` (see bench/README.md).

The files are generated from the UDHR sample texts in samples/udhr (public text, marked as a
sample in every file; not testimony):
  - text: UTF-8 (.txt and .md), UTF-16 with a BOM, UTF-16LE without one (Hebrew and Arabic),
    windows-1255/-1256/-1252 and ISO-8859-8/-6;
  - PDF with a text layer (pango-view, Noto fonts), one to three pages (pdfunite);
  - PNG page images at 300 dpi (pango-view), OCR'd with the record's language.

Usage: bench/ingest_bench.py [--files 10000] [--images 0.1] [--pdfs 0.25] [--jobs 2]
                             [--dir DIR] [--keep]
"""

import argparse
import concurrent.futures
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LANGS = [("he", "heb", "Noto Sans Hebrew"), ("ar", "arb", "Noto Sans Arabic"),
         ("en", "eng", "Noto Serif"), ("fr", "fra", "Noto Sans")]
TESS = {"he": "heb", "ar": "ara", "en": "eng", "fr": "fra"}
LEGACY = {"he": ["cp1255", "iso8859_8"], "ar": ["cp1256", "iso8859_6"],
          "en": ["cp1252"], "fr": ["cp1252"]}


def paragraphs(lang_file):
    with open(os.path.join(ROOT, "samples", "udhr", lang_file + ".txt"), encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def excerpt(paras, i, chars):
    """About `chars` characters of consecutive paragraphs, starting at a place set by i."""
    out, n, k = [], 0, (i * 7919) % len(paras)
    while n < chars:
        p = paras[k % len(paras)]
        out.append(p)
        n += len(p)
        k += 1
    return out


def header(i):
    return "Sample %d (benchmark text from the UDHR, not a testimony)" % i


def make_text(path_base, i, lang, paras):
    """One text file in one of the encodings the issue lists; returns its path."""
    lines = [header(i)] + excerpt(paras, i, 600 + (i % 5) * 400)
    text = "\n".join(lines) + "\n"
    rtl = lang in ("he", "ar")
    choices = ["utf-8", "utf-8-md", "utf-16", "legacy0"] + (["utf-16le", "legacy1"] if rtl else [])
    enc = choices[(i // 4) % len(choices)]
    if enc == "utf-8-md":
        path, data = path_base + ".md", ("# " + lines[0] + "\n\n" + "\n\n".join(lines[1:])).encode()
    elif enc == "utf-16":
        path, data = path_base + ".txt", text.encode("utf-16")  # BOM, little-endian here
    elif enc == "utf-16le":
        path, data = path_base + ".txt", text.encode("utf-16-le")  # no BOM
    elif enc.startswith("legacy"):
        codecs = LEGACY[lang]
        codec = codecs[int(enc[-1]) % len(codecs)]
        path = path_base + ".txt"
        try:
            data = text.encode(codec)
        except UnicodeEncodeError:  # a character the code page lacks: keep UTF-8
            data = text.encode()
    else:
        path, data = path_base + ".txt", text.encode()
    with open(path, "wb") as f:
        f.write(data)
    return path


def pango(text_path, out, font, dpi=None, width=None):
    cmd = ["pango-view", "--no-display", "--font=" + font, "-o", out]
    if dpi:
        cmd.append("--dpi=%d" % dpi)
    if width:
        cmd.append("--width=%d" % width)
    cmd.append(text_path)
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)


def make_pdf(path_base, i, lang, font, paras, tmp):
    """A PDF with a text layer, one to three pages; returns (path, pages)."""
    pages = 1 + (i % 3)
    parts = []
    for p in range(pages):
        src = os.path.join(tmp, "pdf-%d-%d.txt" % (i, p))
        with open(src, "w", encoding="utf-8") as f:
            f.write("\n".join([header(i) + " page %d" % (p + 1)] +
                              excerpt(paras, i + 31 * p, 1200)) + "\n")
        out = os.path.join(tmp, "pdf-%d-%d.pdf" % (i, p))
        pango(src, out, font + " 11", width=450)
        os.unlink(src)
        parts.append(out)
    path = path_base + ".pdf"
    if pages == 1:
        shutil.move(parts[0], path)
    else:
        subprocess.run(["pdfunite"] + parts + [path], check=True)
        for p in parts:
            os.unlink(p)
    return path, pages


def make_image(path_base, i, lang, font, paras, tmp):
    """A PNG page image at 300 dpi with a few lines of text; returns its path."""
    src = os.path.join(tmp, "img-%d.txt" % i)
    with open(src, "w", encoding="utf-8") as f:
        f.write("\n".join([header(i)] + excerpt(paras, i, 350)) + "\n")
    path = path_base + ".png"
    pango(src, path, font + " 12", dpi=300, width=450)
    os.unlink(src)
    return path


def generate(args, files_dir, tmp):
    """Writes the files and a manifest; returns the rows (dicts) with kind and pages."""
    paras = {lang: paragraphs(f) for lang, f, _ in LANGS}
    rows, tasks = [], []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for i in range(args.files):
            lang, _, font = LANGS[i % 4]
            # The kinds interleaved (a golden-ratio sequence), the way a dropped folder is mixed.
            f = (i * 0.6180339887498949) % 1.0
            kind = "image" if f < args.images else "pdf" if f < args.images + args.pdfs else "text"
            base = os.path.join(files_dir, "%05d-%s" % (i, lang))
            row = {"id": "bench-%05d" % i, "lang": lang, "kind": kind}
            rows.append(row)
            if kind == "text":
                row["file"], row["pages"] = make_text(base, i, lang, paras[lang]), 1
            elif kind == "pdf":
                tasks.append((row, pool.submit(make_pdf, base, i, lang, font, paras[lang], tmp)))
            else:
                tasks.append((row, pool.submit(make_image, base, i, lang, font, paras[lang], tmp)))
        for row, fut in tasks:
            if row["kind"] == "pdf":
                row["file"], row["pages"] = fut.result()
            else:
                row["file"], row["pages"] = fut.result(), 1
    return rows


def write_manifest(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "file", "witness", "collection", "title", "language", "consent"])
        for r in rows:
            w.writerow([r["id"], r["file"], "sample-w%d" % (int(r["id"][-5:]) % 97),
                        "bench", "Sample " + r["id"], r["lang"], "public"])


class Timed:
    """Wall time and the CPU time of child processes over a block."""

    def __enter__(self):
        self.t0 = time.monotonic()
        self.r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        return self

    def __exit__(self, *exc):
        self.wall = time.monotonic() - self.t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu = (r1.ru_utime - self.r0.ru_utime) + (r1.ru_stime - self.r0.ru_stime)
        self.maxrss_kib = r1.ru_maxrss


def attest(args, *argv, **kw):
    return subprocess.run([args.attest] + list(argv), check=True, **kw)


def run_attest(args, archive, manifest):
    """attest init + import + worker --until-idle; returns (import Timed, worker Timed, last
    progress event, jobs)."""
    attest(args, "init", archive, "--origin", "bench.attest.invalid/ingest",
           stdout=subprocess.DEVNULL)
    with Timed() as t_import:
        attest(args, "--archive", archive, "import", manifest, "--json", stdout=subprocess.DEVNULL)
    with Timed() as t_worker:
        out = attest(args, "--archive", archive, "worker", "--jobs", str(args.jobs),
                     "--until-idle", "--json", stdout=subprocess.PIPE, text=True).stdout
    last = None
    for line in out.splitlines():
        ev = json.loads(line)
        if ev.get("event") == "progress":
            last = ev
    jobs = json.loads(attest(args, "--archive", archive, "jobs", "--json",
                             stdout=subprocess.PIPE, text=True).stdout)["jobs"]
    return t_import, t_worker, last, jobs


def run_tesseract(args, rows, out_dir):
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def one(r):
        base = os.path.join(out_dir, r["id"])
        subprocess.run(["tesseract", r["file"], base, "-l", TESS[r["lang"]], "--dpi", "300"],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    with Timed() as t:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(one, rows))
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--images", type=float, default=0.10, help="share of page images")
    ap.add_argument("--pdfs", type=float, default=0.25, help="share of PDFs")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--dir", help="work directory (default: a new one in /var/tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--attest", default=os.path.join(ROOT, "build", "attest"))
    args = ap.parse_args()

    work = args.dir or tempfile.mkdtemp(prefix="attest-bench-ingest-", dir="/var/tmp")
    os.makedirs(work, exist_ok=True)
    files_dir = os.path.join(work, "files")
    tmp = os.path.join(work, "tmp")
    os.makedirs(files_dir, exist_ok=True)
    os.makedirs(tmp, exist_ok=True)
    try:
        t0 = time.monotonic()
        rows = generate(args, files_dir, tmp)
        gen_s = time.monotonic() - t0
        images = [r for r in rows if r["kind"] == "image"]
        kinds = {k: sum(1 for r in rows if r["kind"] == k) for k in ("text", "pdf", "image")}
        pages = sum(r["pages"] for r in rows)
        pdf_pages = sum(r["pages"] for r in rows if r["kind"] == "pdf")
        size = sum(os.path.getsize(r["file"]) for r in rows)
        write_manifest(os.path.join(work, "all.csv"), rows)
        write_manifest(os.path.join(work, "images.csv"), images)
        # Read every file once, so neither side pays for a cold page cache.
        for r in rows:
            with open(r["file"], "rb") as f:
                f.read()

        print("benchmark,value,unit,target,note")
        print("ingest_corpus,%d,files,,%d text + %d PDF (%d pages) + %d PNG pages; %.1f MiB; "
              "generated in %.0f s" % (len(rows), kinds["text"], kinds["pdf"], pdf_pages,
                                       kinds["image"], size / 2**20, gen_s))
        sys.stdout.flush()

        # 1. Everything, mixed, the way an archivist's folder arrives.
        ti, tw, last, jobs = run_attest(args, os.path.join(work, "a-all"),
                                        os.path.join(work, "all.csv"))
        done = sum(1 for j in jobs if j["state"] == "done")
        failed = [j for j in jobs if j["state"] != "done"]
        total = ti.wall + tw.wall
        note = "attest import (store + log + queue) then worker --jobs %d --until-idle" % args.jobs
        print("ingest_import_items_per_s,%.1f,items/s,,%d files stored and logged in %.1f s" %
              (len(rows) / ti.wall, len(rows), ti.wall))
        print("ingest_worker_items_per_s,%.1f,items/s,,%d jobs done (%d not done) in %.1f s; "
              "CPU %.0f%% of %d cores" % (len(rows) / tw.wall, done, len(failed), tw.wall,
                                         100 * tw.cpu / tw.wall / args.jobs, args.jobs))
        print("ingest_items_per_s,%.1f,items/s,,%s: %d files in %.1f s" %
              (len(rows) / total, note, len(rows), total))
        print("ingest_pages_per_s,%.2f,pages/s,,%d pages (text files count one; worker "
              "reported %s) in %.1f s" % (pages / total, pages,
                                         last["pages"] if last else "?", total))
        print("ingest_worker_max_rss,%d,KiB,,peak memory of the largest child process" %
              tw.maxrss_kib)
        for j in failed[:5]:
            print("# failed: %s" % json.dumps(j), file=sys.stderr)
        sys.stdout.flush()

        # 2. The same page images: attest (import + worker) against the tesseract command.
        if images:
            tt = run_tesseract(args, images, tmp)
            ti2, tw2, _, jobs2 = run_attest(args, os.path.join(work, "a-img"),
                                            os.path.join(work, "images.csv"))
            ok2 = sum(1 for j in jobs2 if j["state"] == "done" and j["kind"] == "ocr")
            t_att = ti2.wall + tw2.wall
            print("ocr_tesseract_cli_pages_per_min,%.1f,pages/min,,peer: tesseract PAGE OUT -l "
                  "LANG --dpi 300; %d at a time; OMP_THREAD_LIMIT=1; %d pages in %.1f s; CPU "
                  "%.0f%%" % (60 * len(images) / tt.wall, args.jobs, len(images), tt.wall,
                              100 * tt.cpu / tt.wall / args.jobs))
            print("ocr_attest_pages_per_min,%.1f,pages/min,,attest import + worker --jobs %d on "
                  "the same pages; %d OCR jobs done in %.1f s (import %.1f s); CPU %.0f%%" %
                  (60 * len(images) / t_att, args.jobs, ok2, t_att, ti2.wall,
                   100 * (ti2.cpu + tw2.cpu) / t_att / args.jobs))
            print("ocr_attest_overhead,%.1f,%%,<=10,attest time / tesseract command time - 1" %
                  (100 * (t_att / tt.wall - 1)))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("# kept %s" % work, file=sys.stderr)


if __name__ == "__main__":
    main()
