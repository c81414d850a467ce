#!/usr/bin/env python3
"""Ingest benchmark: N mixed small files (text, PDF, page images) through `attest import` and
`attest worker`, and the same page images through the `tesseract` command, in the same run.

Prints bench/lib.sh's provenance lines, then CSV rows `benchmark,median,min,max,runs,unit,
target,note`, then the load after. Every timed figure is the median of --runs runs (at least 3)
with min and max.

OCR peer, at its fastest documented configuration for the same work (tesseract(1)): one
`tesseract LIST OUT -l LANG --oem 1 --psm 3 --dpi 300 tsv` process per list, where LIST is a
text file naming the page images of one language ("A text file lists the names of all input
images (one image name per line)"), so a process loads its language data once for many pages;
each language's pages are cut into --jobs lists, and --jobs processes run at a time (one per
core) with OMP_THREAD_LIMIT=1 ("it gives bad performance if the host computer provides less
than four CPU cores or if OCR is made for many images. Only a single CPU core is used with
OMP_THREAD_LIMIT=1"). tsv: words with their boxes and confidences, what attest keeps of a page;
--oem 1 (LSTM only) and --psm 3 (automatic page segmentation) as attest asks of the library.
The images and the language data are read once before timing, so both find them in the page
cache; the two sides alternate (tesseract first in even rounds, attest first in odd ones).

The files are generated from the UDHR sample texts in samples/udhr (public text, marked as a
sample in every file; not testimony):
  - text: UTF-8 (.txt and .md), UTF-16 with a BOM, UTF-16LE without one (Hebrew and Arabic),
    windows-1255/-1256/-1252 and ISO-8859-8/-6;
  - PDF with a text layer (pango-view, Noto fonts), one to three pages (pdfunite);
  - PNG page images at 300 dpi (pango-view), OCR'd with the record's language.

Usage: bench/ingest_bench.py [--files 2000] [--images 0.1] [--pdfs 0.25] [--jobs 2] [--runs 3]
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
        worker = subprocess.Popen([args.attest, "--archive", archive, "worker", "--jobs",
                                   str(args.jobs), "--until-idle", "--json"],
                                  stdout=subprocess.PIPE, text=True)
        out = worker.stdout.read()
        # The worker's own peak memory (wait4), not the largest child the bench ever ran.
        _, status, usage = os.wait4(worker.pid, 0)
        worker.returncode = os.waitstatus_to_exitcode(status)
        if worker.returncode != 0:
            raise subprocess.CalledProcessError(worker.returncode, worker.args)
    t_worker.maxrss_kib = usage.ru_maxrss
    last = None
    for line in out.splitlines():
        ev = json.loads(line)
        if ev.get("event") == "progress":
            last = ev
    jobs = json.loads(attest(args, "--archive", archive, "jobs", "--json",
                             stdout=subprocess.PIPE, text=True).stdout)["jobs"]
    return t_import, t_worker, last, jobs


def tesseract_lists(args, rows, out_dir):
    """The peer's work: each language's pages cut into --jobs lists (files naming one image a
    line); returns [(list path, language, pages)]."""
    lists = []
    for lang in TESS:
        pages = [r["file"] for r in rows if r["lang"] == lang]
        for k in range(args.jobs):
            part = pages[k::args.jobs]
            if not part:
                continue
            path = os.path.join(out_dir, "tess-%s-%d.list" % (lang, k))
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(part) + "\n")
            lists.append((path, lang, len(part)))
    return lists


TESS_FLAGS = ["--oem", "1", "--psm", "3", "--dpi", "300"]


def run_tesseract(args, lists):
    """One tesseract process per list, --jobs at a time, OMP_THREAD_LIMIT=1; checks every page
    was read (a tsv row of level 1 a page)."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def one(item):
        path, lang, pages = item
        base = path[:-len(".list")]
        subprocess.run(["tesseract", path, base, "-l", TESS[lang]] + TESS_FLAGS + ["tsv"],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(base + ".tsv", encoding="utf-8", errors="replace") as f:
            read = sum(1 for line in f if line.startswith("1\t"))
        os.unlink(base + ".tsv")
        if read != pages:
            raise RuntimeError("tesseract read %d of the %d pages in %s" % (read, pages, path))

    with Timed() as t:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(one, lists))
    return t


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def csv_note(note):
    return '"' + note.replace('"', '""') + '"'


def row(name, values, unit, target, note, mid=None):
    """One CSV row in bench/lib.sh's columns: the median of the values (or `mid`), min, max."""
    m = median(values) if mid is None else mid
    print("%s,%.6g,%.6g,%.6g,%d,%s,%s,%s" % (name, m, min(values), max(values), len(values),
                                           unit, target, csv_note(note)))
    sys.stdout.flush()


def lib_sh(function, *argv):
    """Runs a bench/lib.sh function (the provenance lines, the load after) through bash."""
    subprocess.run(["bash", "-c", 'source "$0"; "$@"', os.path.join(ROOT, "bench", "lib.sh"),
                    function] + list(argv), check=True)
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--images", type=float, default=0.10, help="share of page images")
    ap.add_argument("--pdfs", type=float, default=0.25, help="share of PDFs")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--runs", type=int, default=3, help="runs of each side (at least 3)")
    ap.add_argument("--dir", help="work directory (default: a new one in /var/tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--attest", default=os.path.join(ROOT, "build", "attest"))
    args = ap.parse_args()
    if args.attest == os.path.join(ROOT, "build", "attest"):
        # Build what is measured, so the commit the CSV names is the code that ran.
        subprocess.run(["cmake", "--build", os.path.join(ROOT, "build"), "--target", "attest"],
                       check=True, stdout=subprocess.DEVNULL)
    if args.runs < 3:
        ap.error("--runs must be at least 3 (a median of fewer is no figure)")

    lib_sh("bench_provenance", "python3 bench/ingest_bench.py " + " ".join(sys.argv[1:]))
    print("# peer: tesseract %s, LIST naming one language's pages, -l LANG %s tsv; %d "
          "processes at a time, OMP_THREAD_LIMIT=1 (tesseract(1): a text file of image names "
          "as input; OMP_THREAD_LIMIT=1 for many images)" %
          (subprocess.run(["tesseract", "--version"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True).stdout.split()[1],
           " ".join(TESS_FLAGS), args.jobs))
    print("# same: page images, languages, %d cores, images and language data read once before "
          "timing; the sides alternate" % args.jobs)
    sys.stdout.flush()

    work = os.path.abspath(args.dir or tempfile.mkdtemp(prefix="attest-bench-ingest-",
                                                        dir="/var/tmp"))
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
        # Read every file once, and the language data, so neither side pays for a cold cache.
        tessdata = subprocess.run(["tesseract", "--list-langs"], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True).stdout.split('"')[1]
        warm = [r["file"] for r in rows] + [os.path.join(tessdata, l + ".traineddata")
                                            for l in list(TESS.values()) + ["osd"]]
        for path in warm:
            if os.path.exists(path):
                with open(path, "rb") as f:
                    f.read()

        print("benchmark,median,min,max,runs,unit,target,note")
        row("ingest_corpus", [len(rows)], "files", "",
            "%d text + %d PDF (%d pages) + %d PNG pages; %.1f MiB; generated in %.0f s; one "
            "count" % (kinds["text"], kinds["pdf"], pdf_pages, kinds["image"], size / 2**20,
                       gen_s))

        # 1. Everything, mixed, the way an archivist's folder arrives; a fresh archive a run.
        imp, wrk, tot, pps, cpu, rss = [], [], [], [], [], []
        done = failed = None
        reported = "?"
        for k in range(args.runs):
            archive = os.path.join(work, "a-all-%d" % k)
            ti, tw, last, jobs = run_attest(args, archive, os.path.join(work, "all.csv"))
            shutil.rmtree(archive, ignore_errors=True)
            done = sum(1 for j in jobs if j["state"] == "done")
            failed = [j for j in jobs if j["state"] != "done"]
            imp.append(len(rows) / ti.wall)
            wrk.append(len(rows) / tw.wall)
            tot.append(len(rows) / (ti.wall + tw.wall))
            pps.append(pages / (ti.wall + tw.wall))
            cpu.append(100 * tw.cpu / tw.wall / args.jobs)
            rss.append(tw.maxrss_kib)
            reported = last["pages"] if last else "?"
        note = "attest import (store + log + queue) then worker --jobs %d --until-idle" % args.jobs
        row("ingest_import_items_per_s", imp, "items/s", "",
            "%d files stored and logged; a fresh archive a run" % len(rows))
        row("ingest_worker_items_per_s", wrk, "items/s", "",
            "%d jobs done (%d not done) of %d files; worker CPU median %.0f%% of %d cores" %
            (done, len(failed), len(rows), median(cpu), args.jobs))
        row("ingest_items_per_s", tot, "items/s", "", "%s: %d files" % (note, len(rows)))
        row("ingest_pages_per_s", pps, "pages/s", "",
            "%d pages (text files count one; worker reported %s)" % (pages, reported))
        row("ingest_worker_max_rss", rss, "KiB", "", "peak memory of attest worker (wait4)")
        for j in failed[:5]:
            print("# failed: %s" % json.dumps(j), file=sys.stderr)

        # 2. The same page images: attest (import + worker) against the tesseract command,
        # alternating which goes first.
        if images:
            lists = tesseract_lists(args, images, tmp)
            tess_s, att_s, tess_cpu, att_cpu = [], [], [], []
            ok2 = None
            for k in range(args.runs):
                for side in (("tess", "attest") if k % 2 == 0 else ("attest", "tess")):
                    if side == "tess":
                        tt = run_tesseract(args, lists)
                        tess_s.append(tt.wall)
                        tess_cpu.append(100 * tt.cpu / tt.wall / args.jobs)
                    else:
                        archive = os.path.join(work, "a-img-%d" % k)
                        ti2, tw2, _, jobs2 = run_attest(args, archive,
                                                        os.path.join(work, "images.csv"))
                        shutil.rmtree(archive, ignore_errors=True)
                        ok2 = sum(1 for j in jobs2 if j["state"] == "done" and j["kind"] == "ocr")
                        if ok2 != len(images):
                            raise RuntimeError("attest read %d of the %d pages" %
                                               (ok2, len(images)))
                        att_s.append(ti2.wall + tw2.wall)
                        att_cpu.append(100 * (ti2.cpu + tw2.cpu) / att_s[-1] / args.jobs)
            n = len(images)
            row("ocr_tesseract_cli_pages_per_min", [60 * n / t for t in tess_s], "pages/min", "",
                "peer: tesseract LIST OUT -l LANG %s tsv, %d lists (one language each) of %d "
                "pages, %d processes at a time, OMP_THREAD_LIMIT=1; CPU median %.0f%%" %
                (" ".join(TESS_FLAGS), len(lists), n, args.jobs, median(tess_cpu)))
            row("ocr_attest_pages_per_min", [60 * n / t for t in att_s], "pages/min", "",
                "attest import + worker --jobs %d on the same %d pages (every one OCR'd); CPU "
                "median %.0f%%" % (args.jobs, n, median(att_cpu)))
            ratios = [100 * (a / t - 1) for a, t in zip(att_s, tess_s)]
            row("ocr_attest_overhead", ratios, "percent", "<=10", "attest's median time over the tesseract command's, minus 1; min and "
                "max: the rounds' own ratios", mid=100 * (median(att_s) / median(tess_s) - 1))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("# kept %s" % work, file=sys.stderr)
    lib_sh("bench_load_after")


if __name__ == "__main__":
    main()
