"""Pictures of the issue forms for CONTRIBUTING.md, drawn from the form definitions.

``python3 build.py docs --screenshots`` renders each form in ``.github/ISSUE_TEMPLATE/`` as a page
that looks like the form a manager sees, filled in as the guide describes, and photographs it with
Chromium (Playwright). ``content/images/forms.sha256`` records which form text the pictures show,
so a test fails when a form changes and the pictures do not.
"""
from __future__ import annotations

import hashlib
import html
from pathlib import Path
from typing import Any

from . import forms
from .schema import ROOT

IMAGES = "content/images"
SHOTS = {forms.VACANCIES: "update-vacancies-form.png", forms.DETAILS: "update-details-form.png"}
HASH_FILE = "forms.sha256"
# filled in for the fictional example home (providers/_template.yaml's): a picture never gives a real home a fact
EXAMPLE_ANSWERS = {forms.VACANCIES: {"title": "Example House (fictional)", "home": "example-house", "beds__residential__available": "2"},
                   forms.DETAILS: {"title": "Example House (fictional)", "home": "example-house"}}
CSS = """
body { font: 14px/1.5 -apple-system, "Segoe UI", "Liberation Sans", Arial, sans-serif; color: #1f2328;
       margin: 0; background: #fff; }
main { max-width: 760px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 20px; font-weight: 600; margin: 0 0 16px; }
.intro { background: #f6f8fa; border: 1px solid #d1d9e0; border-radius: 6px; padding: 8px 16px; margin-bottom: 16px; }
label { display: block; font-weight: 600; margin: 16px 0 4px; }
.req { color: #d1242f; }
.help { color: #59636e; font-size: 12px; margin: 0 0 6px; }
.box { border: 1px solid #d1d9e0; border-radius: 6px; padding: 5px 12px; min-height: 20px; background: #f6f8fa; }
.box.area { min-height: 60px; }
.box.filled { background: #fff; }
.placeholder { color: #818b98; }
button { margin-top: 24px; background: #1f883d; color: #fff; border: 0; border-radius: 6px; padding: 6px 16px;
         font-weight: 600; font-size: 14px; }
"""


def form_hash() -> str:
    """A digest of the form texts the pictures must show."""
    text = "".join(forms.form_text(t) for t in SHOTS)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def form_html(template: str, answers: dict[str, str] | None = None) -> str:
    """An HTML page that looks like GitHub's page for one issue form; every text is escaped."""
    form = forms.form(template)
    answers = answers or {}
    e = html.escape
    parts = [f"<h1>{e(form['name'])}</h1>", "<label>Add a title <span class='req'>*</span></label>",
             f"<div class='box filled'>{e(form['title'])}{e(answers.get('title', ''))}</div><p></p>"]
    for block in form["body"]:
        a: dict[str, Any] = block["attributes"]
        if block["type"] == "markdown":
            parts.append(f"<div class='intro'>{e(a['value']).replace('**', '')}</div>")
            continue
        required = " <span class='req'>*</span>" if block.get("validations", {}).get("required") else ""
        parts.append(f"<label>{e(a['label'])}{required}</label><p class='help'>{e(a.get('description', ''))}</p>")
        value = answers.get(block["id"])
        if block["type"] == "dropdown":
            parts.append(f"<div class='box'>{e(value) if value else 'Selections: None'}</div>")
        elif value:
            parts.append(f"<div class='box filled'>{e(value)}</div>")
        else:
            cls = "box area" if block["type"] == "textarea" else "box"
            parts.append(f"<div class='{cls}'><span class='placeholder'>{e(str(a.get('placeholder', '')))}</span></div>")
    parts.append("<button>Submit new issue</button>")
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(form['name'])}</title>"
            f"<style>{CSS}</style></head><body><main>{''.join(parts)}</main></body></html>")


def write_screenshots(root: Path = ROOT, executable: str = "/usr/bin/chromium") -> list[Path]:
    """Photograph each form (the first 1,100 pixels of the long one) into content/images/."""
    from playwright.sync_api import sync_playwright

    out = root / IMAGES
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 800, "height": 600})
        for template, name in SHOTS.items():
            page.set_content(form_html(template, EXAMPLE_ANSWERS[template]))
            if template == forms.VACANCIES:
                page.screenshot(path=str(out / name), full_page=True)
            else:
                page.screenshot(path=str(out / name), clip={"x": 0, "y": 0, "width": 800, "height": 1100}, full_page=True)
            written.append(out / name)
        browser.close()
    (out / HASH_FILE).write_text(form_hash() + "\n", encoding="utf-8")
    return written
