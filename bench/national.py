#!/usr/bin/env python3
"""Benchmark on the whole national CQC file (15,403 homes). Run by hand; prints figures.

    python bench/national.py [--keep DIR] [--site] [--search-only] [--detail]

Imports every home into a temporary folder, then times `check` and `data`
(and, with --site, the whole site build) as a user runs them, each in its own
process, reporting wall time and the peak memory of that process; with --site,
also what a browser fetches for each search in QUERIES. With --keep DIR the
import is skipped when DIR already holds the profiles; --search-only measures
the searches again on the site already built there; --detail splits each
search's bytes by kind of file.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT.parent / "shared/data/cqc/virtuk-hsca-care-homes-2021-03/cqc_care_homes_england_2021-03_cqc_columns_only.csv"


def run(label: str, *args: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True)
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    status = "ok" if proc.returncode == 0 else f"FAILED ({proc.returncode})"
    print(f"{label:<34} {took:7.2f} s   peak {max(peak, before) / 1024:7.0f} MB   {status}")
    if proc.returncode:
        print(proc.stdout[-2000:], proc.stderr[-2000:], sep="\n")
    return took


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--keep", help="use this folder instead of a temporary one (kept afterwards)")
    ap.add_argument("--site", action="store_true", help="also build the whole site")
    ap.add_argument("--detail", action="store_true", help="with the search figures, their bytes by kind of file")
    ap.add_argument("--search-only", action="store_true",
                    help="only measure the find page's searches on the site already built in --keep DIR")
    args = ap.parse_args()
    if args.search_only and not args.keep:
        print("--search-only needs --keep DIR (the folder of a site built with --site --keep DIR).")
        return 2
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="carehomes-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    prov, out = work / "providers", work / "site"
    if args.search_only:
        if not (out / "find" / "index.html").is_file():
            print(f"--search-only needs --keep DIR with a site built by --site (no {out / 'find' / 'index.html'}); "
                  "run once with --site --keep DIR first.")
            return 2
        measure_search(out, args.detail)
        return 0
    print(f"machine: {os.cpu_count()} cores; folder: {work}")
    if not any(prov.glob("*.yaml")):
        run("import-cqc (15,403 homes)", "import-cqc", str(NATIONAL), "--providers", str(prov))
    n, size = folder_size(prov)
    print(f"profiles: {n:,} files, {size / 1e6:.1f} MB")
    run("check (target <= 10 s)", "check", str(prov))
    run("data (target <= 10 s)", "data", "--providers", str(prov), "--out", str(out / "data"))
    n, size = folder_size(out / "data")
    print(f"open data: {n} files, {size / 1e6:.1f} MB")
    if args.site:
        # a national site publishes the postcode lookup for every area (mkdocs.yml beside the original,
        # so its relative paths still work)
        config = ROOT / ".mkdocs-national.yml"
        text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
        config.write_text(re.sub(r"postcode_areas: .*", "postcode_areas: all", text), encoding="utf-8")
        try:
            run("build whole site (target <= 60 s)", "build", "--providers", str(prov), "--out", str(out), "--config", str(config))
        finally:
            config.unlink()
        n, size = folder_size(out)
        print(f"site: {n:,} files, {size / 1e6:.1f} MB")
        n, size = folder_size(out / "postcodes")
        print(f"postcode lookup: {n:,} files, {size / 1e6:.1f} MB (target <= 100 MB; every file <= 30 KB)")
        pages = [p.stat().st_size for p in (out / "homes").glob("*/index.html")]
        print(f"profile pages: {len(pages):,}; largest {max(pages) / 1e3:.1f} KB, mean {sum(pages) / len(pages) / 1e3:.1f} KB (target <= 60 KB)")
        measure_search(out, args.detail)
    return 0


QUERIES = [
    ("text 'park'", "find/?q=park"),
    ("postcode 'HR1 1TJ'", "find/?q=HR1+1TJ"),
    ("filter nursing + dementia, by rating", "find/?care=Nursing&band=Dementia&sort=rating"),
    ("filter area Leeds, nursing", "find/?locality=Leeds&care=Nursing"),
    ("all homes, no filter", "find/"),
    ("distance from 'M1 1AE' (city centre)", "find/?sort=distance&near=M1+1AE"),
    ("distance from 'HR3 5AA' (rural)", "find/?sort=distance&near=HR3+5AA"),
    ("postcode 'M1 1AE' in the search box", "find/?q=M1+1AE"),
    ("distance from 'M1 1AE' + nursing", "find/?sort=distance&near=M1+1AE&care=Nursing"),
    ("distance 'M1 1AE' + nursing, dementia", "find/?sort=distance&near=M1+1AE&care=Nursing&band=Dementia"),
    ("distance 'M1 1AE' + words 'park'", "find/?q=park&sort=distance&near=M1+1AE"),
    ("3 filters: nursing, dementia, bed free", "find/?care=Nursing&band=Dementia&free=any"),
    ("5 filters + fee sort", "find/?care=Nursing&band=Dementia&band=Older+people&rating=Good&weekend=yes&sort=fee"),
]


DONE = """() => {
  const list = document.getElementById('results'), text = document.getElementById('results-status').textContent || '';
  if (list && list.hasAttribute('aria-busy')) return list.getAttribute('aria-busy') === 'false' && text !== '';
  return /match|No homes|nearest first|could not|not a live|outside the postcode|not working|Enter a postcode|told us/.test(text);
}"""


def kinds(sizes: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The search's bytes and requests by kind of file (Pagefind's index, filters, fragments...)."""
    out: dict[str, tuple[int, int]] = {}
    for url, size in sizes.items():
        m = re.search(r"/(pagefind/(?:index|filter|fragment)|pagefind|search/near|search/cards|search|postcodes)/", url)
        if not m:
            continue
        kind = m.group(1) if m.group(1) != "pagefind" else "pagefind " + url.rsplit(".", 1)[-1].split("?")[0]
        b, n = out.get(kind, (0, 0))
        out[kind] = (b + size, n + 1)
    return dict(sorted(out.items()))


def measure_search(site: Path, detail: bool = False) -> None:
    """Bytes a person's browser fetches for a search or filter on the find page.

    Each query runs in a fresh browser context (cold cache), opening the find page with the
    query in its address. Counted: every request the search makes, including those from
    Pagefind's web worker (index chunks, filter chunks, result fragments, the WebAssembly
    module) and districts.json; the page's own HTML, CSS and theme JavaScript are listed apart.
    """
    import threading

    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from carehomes.localserver import site_server

    server = site_server(site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for label, path in QUERIES:
            ctx = browser.new_context()
            sizes: dict[str, int] = {}
            def finished(r: Any, sizes: dict[str, int] = sizes) -> None:
                sizes[r.url] = r.sizes()["responseBodySize"]

            ctx.on("requestfinished", finished)
            page = ctx.new_page()
            page.goto(base + path)
            # the page marks the results aria-busy="false" once a search has finished (its count written,
            # or why there is none); older pages only had their final wording to go by
            try:
                page.wait_for_function(DONE, timeout=60000)
            except PlaywrightTimeout:
                print(f"search {label:<38} did not finish in 60 s; status: {page.locator('#results-status').inner_text()[:60]!r}")
                ctx.close()
                continue
            page.wait_for_timeout(300)
            searching = ("/pagefind/", "/search/", "/postcodes/")
            search = sum(v for k, v in sizes.items() if any(s in k for s in searching))
            n = sum(1 for k in sizes if any(s in k for s in searching))
            other = sum(v for k, v in sizes.items() if not any(s in k for s in searching))
            status = page.locator("#results-status").inner_text()
            print(f"search {label:<38} {search / 1e3:7.1f} KB in {n:3} requests (target <= 300 KB); page itself {other / 1e3:.0f} KB   [{status[:32]}]")
            if detail:
                print("       " + "; ".join(f"{kind} {kb / 1e3:.1f} KB in {count}" for kind, (kb, count) in kinds(sizes).items()))
            ctx.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
