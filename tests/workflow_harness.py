"""Runs a GitHub Actions workflow of this repository the way a runner does, on this computer, for the tests.

``Harness(tmp_path, origin, github=stub).run("cqc-sync.yml", "schedule", payload)`` reads the workflow as the
origin's commit holds it, runs its jobs in the order their ``needs`` give, each on a fresh "runner" (its own
workspace, ``RUNNER_TEMP`` and home), and each job's steps in order: ``run:`` steps with bash as the runner
calls it (``bash -e``), with ``GITHUB_WORKSPACE``, ``RUNNER_TEMP``, ``GITHUB_EVENT_PATH`` (the payload as a
file), ``GITHUB_OUTPUT``, ``GITHUB_ENV``, ``GITHUB_PATH`` and ``GITHUB_STEP_SUMMARY`` working as on GitHub; an
event whose activity (``action``) is not in the trigger's ``types:`` starts no run (``Run.started`` is False);
``${{ }}`` expressions (``github``, ``env``, ``vars``, ``secrets``, ``inputs``, ``steps``, ``needs`` and the
functions the workflows use) filled in; ``if:`` and ``continue-on-error`` obeyed. A job that names an
``environment:`` reads its secrets as GitHub gives them (``Environment``): the repository's, with the environment's
own of the same name winning over them; an environment not set up yet is one with no secrets and no rules (GitHub
makes it so on first use); one whose deployment branches do not include the run's branch fails the job before any
step runs. Third-party actions are
stood in for: checkout (clones the local bare ``origin`` at its ``ref`` into its ``path``), setup-python
(``python3`` is this test's Python, with the requirements installed), cache (nothing), upload-artifact and
upload-pages-artifact (copy the folder aside) and deploy-pages (takes the pages artifact as the deployed site).
GitHub's REST API is the loopback ``GitHubStub`` (``GITHUB_API_URL``); other services' stubs are given with
``env`` (e.g. ``CQC_API_BASE``). Nothing reaches the network.
"""
from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TOKEN = "ghs-default-workflow-token"
REPOSITORY = "council/carehomes"
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
STEP_TIMEOUT = 300


# --- expressions ---------------------------------------------------------------------------------

class Filtered(list):
    """The result of ``.*``: a property read after it is read from every element."""


_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\],.*])"
                    r"|(?P<name>[A-Za-z_][\w-]*))")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos, text = [], 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m and m.end() > pos, f"the harness cannot read the expression {text!r} at {text[pos:]!r}"
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def truthy(v: Any) -> bool:
    return not (v is None or v is False or v == "" or (isinstance(v, (int, float)) and not isinstance(v, bool)
                                                        and (v == 0 or math.isnan(v))))


def _number(v: Any) -> float:
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip() or 0)
        except ValueError:
            return math.nan
    return math.nan


def _equal(a: Any, b: Any) -> bool:
    """GitHub's loose equality: strings case-insensitively, different types as numbers."""
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    if type(a) is type(b) or (isinstance(a, (dict, list)) or isinstance(b, (dict, list))):
        return a == b
    return _number(a) == _number(b)


def as_text(v: Any) -> str:
    """A value as the runner writes it into env, with or run."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dict, list)):
        return json.dumps(v, indent=2)
    return str(v)


class _Parser:
    def __init__(self, text: str, context: dict[str, Any], status: dict[str, bool]) -> None:
        self.toks, self.i, self.ctx, self.status, self.text = _tokens(text), 0, context, status, text

    def peek(self) -> str:
        return self.toks[self.i][1] if self.i < len(self.toks) else ""

    def take(self, want: str | None = None) -> tuple[str, str]:
        assert self.i < len(self.toks), f"the expression {self.text!r} ends too soon"
        tok = self.toks[self.i]
        assert want is None or tok[1] == want, f"expected {want!r} in {self.text!r}, found {tok[1]!r}"
        self.i += 1
        return tok

    def parse(self) -> Any:
        v = self.or_()
        assert self.i == len(self.toks), f"the harness cannot read the rest of {self.text!r}"
        return v

    def or_(self) -> Any:
        v = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            v = v if truthy(v) else right
        return v

    def and_(self) -> Any:
        v = self.compare()
        while self.peek() == "&&":
            self.take()
            right = self.compare()
            v = right if truthy(v) else v
        return v

    def compare(self) -> Any:
        v = self.unary()
        while self.peek() in ("==", "!=", "<", ">", "<=", ">="):
            op = self.take()[1]
            right = self.unary()
            if op in ("==", "!="):
                v = _equal(v, right) == (op == "==")
            else:
                a, b = _number(v), _number(right)
                v = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        return v

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.unary())
        return self.postfix()

    def postfix(self) -> Any:
        v = self.primary()
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                kind, name = self.take()
                v = Filtered(v.values() if isinstance(v, dict) else v or []) if name == "*" else _prop(v, name)
            else:
                key = self.or_()
                self.take("]")
                v = _prop(v, as_text(key)) if not isinstance(key, (int, float)) or isinstance(v, dict) else (
                    v[int(key)] if isinstance(v, list) and int(key) < len(v) else None)
        return v

    def primary(self) -> Any:
        kind, tok = self.take()
        if kind == "num":
            return float(tok)
        if kind == "str":
            return tok[1:-1].replace("''", "'")
        if tok == "(":
            v = self.or_()
            self.take(")")
            return v
        assert kind == "name", f"unexpected {tok!r} in {self.text!r}"
        if tok in ("true", "false"):
            return tok == "true"
        if tok == "null":
            return None
        if self.peek() == "(":
            self.take()
            args = []
            while self.peek() != ")":
                args.append(self.or_())
                if self.peek() == ",":
                    self.take()
            self.take(")")
            return self.call(tok, args)
        assert tok in self.ctx, f"the harness does not know the context {tok!r} in {self.text!r}"
        return self.ctx[tok]

    def call(self, name: str, args: list[Any]) -> Any:
        name = name.lower()
        if name in ("success", "failure", "always", "cancelled"):
            return self.status[name]
        if name == "contains":
            seq, item = args
            if isinstance(seq, list):
                return any(_equal(x, item) for x in seq)
            return as_text(item).lower() in as_text(seq).lower()
        if name == "startswith":
            return as_text(args[0]).lower().startswith(as_text(args[1]).lower())
        if name == "endswith":
            return as_text(args[0]).lower().endswith(as_text(args[1]).lower())
        if name == "format":
            return re.sub(r"\{(\d+)\}", lambda m: as_text(args[1 + int(m[1])]), as_text(args[0]))
        if name == "join":
            return (as_text(args[1]) if len(args) > 1 else ",").join(as_text(x) for x in args[0] or [])
        if name == "tojson":
            return json.dumps(args[0], indent=2)
        if name == "fromjson":
            return json.loads(as_text(args[0]))
        raise AssertionError(f"the harness does not know the function {name}()")


def _prop(v: Any, name: str) -> Any:
    if isinstance(v, Filtered):
        return Filtered(x.get(name) if isinstance(x, dict) else None for x in v)
    if isinstance(v, dict):
        for k, x in v.items():
            if str(k).lower() == name.lower():
                return x
    return None


def evaluate(expression: str, context: dict[str, Any], status: dict[str, bool] | None = None) -> Any:
    """The value of one expression (without ``${{ }}``)."""
    return _Parser(expression, context, status or {"success": True, "failure": False, "always": True, "cancelled": False}).parse()


def fill(text: Any, context: dict[str, Any]) -> str:
    """A value of env or with: each ``${{ }}`` replaced by its value as text."""
    if not isinstance(text, str):
        return as_text(text)
    whole = EXPRESSION.fullmatch(text.strip())
    if whole:
        return as_text(evaluate(whole[1], context))
    return EXPRESSION.sub(lambda m: as_text(evaluate(m[1], context)), text)


def condition(text: Any, context: dict[str, Any], status: dict[str, bool]) -> bool:
    """An ``if:``: with no status function in it, success() && (it), as on GitHub."""
    if text is None:
        text = "success()"
    if isinstance(text, bool):
        return text and status["success"]
    expr = str(text).strip()
    whole = EXPRESSION.fullmatch(expr)
    expr = whole[1] if whole else expr
    if not re.search(r"\b(success|failure|always|cancelled)\s*\(", expr):
        expr = f"success() && ({expr})"
    return truthy(evaluate(expr, context, status))


# --- the run -------------------------------------------------------------------------------------

@dataclass
class Step:
    name: str
    outcome: str  # success, failure or skipped
    conclusion: str  # success after a failure with continue-on-error
    output: str = ""
    code: int = 0  # the exit status
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class Job:
    name: str
    result: str  # success, failure or skipped
    steps: list[Step] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    workspace: Path | None = None
    environment: str | None = None  # the environment the job named
    error: str = ""  # why GitHub failed the job before any step (an environment's rule)

    def step(self, name: str) -> Step:
        found = [s for s in self.steps if s.name == name]
        assert found, f"no step {name!r} in job {self.name}: {[s.name for s in self.steps]}"
        return found[0]

    def log(self) -> str:
        return "\n".join([*filter(None, [self.error]),
                          *(f"--- {s.name}: {s.outcome} ({s.seconds:.1f} s)\n{s.output}" for s in self.steps)])


@dataclass
class Environment:
    """A deployment environment as set up in the repository's settings: its secrets and, when it has a rule,
    the branches that may use it (Settings → Environments → Deployment branches and tags)."""
    secrets: dict[str, str] = field(default_factory=dict)
    branches: list[str] | None = None  # None: no rule, any branch


@dataclass
class Run:
    jobs: dict[str, Job]
    artifacts: Path
    deployed: Path | None = None
    started: bool = True  # False: the event's activity type is not in the workflow's types:, so GitHub starts no run

    @property
    def result(self) -> str:
        return "failure" if any(j.result == "failure" for j in self.jobs.values()) else "success"

    def log(self) -> str:
        return "\n".join(f"=== job {k}: {j.result}\n{j.log()}" for k, j in self.jobs.items())


def _parse_file_commands(path: Path) -> dict[str, str]:
    """name=value lines and name<<DELIMITER blocks, as GITHUB_OUTPUT and GITHUB_ENV hold them."""
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            j = lines.index(delim, i + 1)
            out[name] = "\n".join(lines[i + 1:j])
            i = j + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


class Harness:
    """Runs this repository's workflows against a local bare repository ``origin`` and the stubs."""

    def __init__(self, tmp: Path, origin: Path, *, github: Any, secrets: dict[str, str] | None = None,
                 variables: dict[str, str] | None = None, env: dict[str, str] | None = None,
                 environments: dict[str, Environment] | None = None) -> None:
        self.tmp, self.origin, self.github = tmp, origin, github
        self.secrets = {"GITHUB_TOKEN": DEFAULT_TOKEN, **(secrets or {})}  # the repository's
        self.environments = {k.lower(): v for k, v in (environments or {}).items()}  # GitHub's names ignore case
        self.vars, self.env = dict(variables or {}), dict(env or {})
        self.runs = 0
        self.caches: list[Cache] = []  # actions/cache's saved entries, oldest first

    def run(self, workflow: str, event_name: str, payload: dict[str, Any], *, ref: str = "refs/heads/main",
            sha: str = "") -> Run:
        """Run ``.github/workflows/<workflow>`` for one event, as the commit ``sha`` (default: ``ref``'s) holds it."""
        self.runs += 1
        sha = sha or _git(self.origin, "rev-parse", ref).strip()
        doc = yaml.safe_load(_git(self.origin, "show", f"{sha}:.github/workflows/{workflow}"))
        on = doc.get(True, doc.get("on"))
        assert event_name in (on if isinstance(on, (dict, list)) else [on]), f"{workflow} does not run on {event_name}"
        base = self.tmp / f"run-{self.runs}-{workflow.removesuffix('.yml')}"
        artifacts = base / "artifacts"
        artifacts.mkdir(parents=True)
        spec = on.get(event_name) if isinstance(on, dict) else None  # schedule: a list of crons; others: a mapping or empty
        types = spec.get("types") if isinstance(spec, dict) else None
        if types is not None and payload.get("action") not in types:  # GitHub starts no run for an activity not listed
            return Run({}, artifacts, started=False)
        (base / "event.json").write_text(json.dumps(payload))
        github = {"event": payload, "event_name": event_name, "ref": ref, "ref_name": ref.split("/", 2)[-1], "sha": sha,
                  "repository": self.github.repo, "repository_owner": self.github.repo.split("/")[0],
                  "token": self.secrets["GITHUB_TOKEN"], "actor": (payload.get("sender") or {}).get("login", "council-steward"),
                  "server_url": "https://github.com", "api_url": self.github.base, "run_id": str(1000 + self.runs),
                  "workflow": doc.get("name", workflow)}
        run = Run({}, artifacts)
        for job_id in _job_order(doc["jobs"]):
            spec = doc["jobs"][job_id]
            needs = [spec["needs"]] if isinstance(spec.get("needs"), str) else spec.get("needs") or []
            context = {"github": github, "secrets": self.secrets, "vars": self.vars, "inputs": payload.get("inputs") or {},
                       "needs": {n: {"result": run.jobs[n].result, "outputs": run.jobs[n].outputs} for n in needs},
                       "env": {k: fill(v, {"github": github, "secrets": self.secrets, "vars": self.vars})
                               for k, v in (doc.get("env") or {}).items()}}
            ok = all(run.jobs[n].result == "success" for n in needs)
            status = {"success": ok, "failure": not ok, "always": True, "cancelled": False}
            if not condition(spec.get("if"), context, status):
                run.jobs[job_id] = Job(spec.get("name", job_id), "skipped")
                continue
            named = spec.get("environment")
            named = fill(named["name"] if isinstance(named, dict) else named, context) if named else None
            if named:
                environment = self.environments.get(named.lower(), Environment())  # made on first use: no secrets, no rules
                if environment.branches is not None and not (github["ref"].startswith("refs/heads/")
                                                             and github["ref_name"] in environment.branches):
                    run.jobs[job_id] = Job(spec.get("name", job_id), "failure", environment=named,
                                           error=f'Branch "{github["ref_name"]}" is not allowed to deploy to {named} due to '
                                                 "environment protection rules.")
                    continue
                context = {**context, "secrets": {**self.secrets, **environment.secrets}}
            run.jobs[job_id] = self._job(job_id, spec, context, base / job_id, run)
            run.jobs[job_id].environment = named
        return run

    def _job(self, job_id: str, spec: dict[str, Any], context: dict[str, Any], runner: Path, run: Run) -> Job:
        workspace, temp, home, shims = runner / "work", runner / "temp", runner / "home", runner / "bin"
        for d in (workspace, temp, home, shims):
            d.mkdir(parents=True)
        github = context["github"]
        env = {"PATH": f"{shims}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "CI": "true",
               "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(temp),
               "GITHUB_EVENT_NAME": github["event_name"], "GITHUB_EVENT_PATH": str(runner.parent / "event.json"),
               "GITHUB_SHA": github["sha"], "GITHUB_REF": github["ref"], "GITHUB_REF_NAME": github["ref_name"],
               "GITHUB_REPOSITORY": github["repository"], "GITHUB_API_URL": github["api_url"],
               "GITHUB_SERVER_URL": github["server_url"], "GITHUB_RUN_ID": github["run_id"], "GITHUB_ACTOR": github["actor"],
               "GITHUB_JOB": job_id, "GIT_CONFIG_NOSYSTEM": "1", "CAREHOMES_NO_VENV": "1", **self.env}
        job = Job(spec.get("name", job_id), "success", workspace=workspace)
        context = {**context, "steps": {}, "runner": {"temp": str(temp), "os": "Linux"}, "job": {"status": "success"}}
        context["env"] = {**context["env"], **{k: fill(v, context) for k, v in (spec.get("env") or {}).items()}}
        added_env: dict[str, str] = {}
        failed = False
        self._saves: list[Cache] = []  # the caches this job's post steps save if it succeeds
        for i, step in enumerate(spec["steps"]):
            name = step.get("name") or (f"Run {step['uses'].split('@')[0]}" if "uses" in step else f"Run {step['run'].splitlines()[0]}")
            status = {"success": not failed, "failure": failed, "always": True, "cancelled": False}
            step_context = {**context, "env": {**context["env"], **added_env}}
            if not condition(step.get("if"), step_context, status):
                job.steps.append(Step(name, "skipped", "skipped"))
                if "id" in step:
                    context["steps"][step["id"]] = {"outcome": "skipped", "conclusion": "skipped", "outputs": {}}
                continue
            step_env = {k: fill(v, step_context) for k, v in (step.get("env") or {}).items()}
            step_context["env"] = {**step_context["env"], **step_env}
            started = time.monotonic()
            if "uses" in step:
                code, output, outputs = self._action(step, step_context, workspace, shims, run)
            else:
                files = {k: temp.parent / f"_{k.lower()}_{i}" for k in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH")}
                for f in files.values():
                    f.write_text("")
                summary = temp.parent / f"_summary_{i}"
                script = temp.parent / f"_step_{i}.sh"
                script.write_text(step["run"])
                shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail"] if step.get("shell") == "bash" else ["bash", "-e"]
                cwd = workspace / fill(step.get("working-directory", ""), step_context)
                full_env = {**env, **context["env"], **added_env, **step_env, **{k: str(v) for k, v in files.items()},
                            "GITHUB_STEP_SUMMARY": str(summary)}
                try:
                    done = subprocess.run([*shell, str(script)], cwd=cwd, env=full_env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True, timeout=STEP_TIMEOUT)
                    code, output = done.returncode, done.stdout
                except subprocess.TimeoutExpired as exc:
                    code, output = 124, f"{exc.output or ''}\n(the harness stopped the step after {STEP_TIMEOUT} s)"
                outputs = _parse_file_commands(files["GITHUB_OUTPUT"])
                added_env.update(_parse_file_commands(files["GITHUB_ENV"]))
                for line in files["GITHUB_PATH"].read_text().splitlines():
                    env["PATH"] = f"{line}:{env['PATH']}"
                if summary.exists():
                    job.summary += summary.read_text()
            outcome = "success" if code == 0 else "failure"
            conclusion = "success" if outcome == "success" or truthy(step.get("continue-on-error")) else "failure"
            job.steps.append(Step(name, outcome, conclusion, output, code=code, outputs=outputs,
                                  seconds=time.monotonic() - started))
            if "id" in step:
                context["steps"][step["id"]] = {"outcome": outcome, "conclusion": conclusion, "outputs": outputs}
            if conclusion == "failure":
                failed = True
                context["job"]["status"] = "failure"
        job.result = "failure" if failed else "success"
        for cache in self._saves:  # actions/cache's post step: post-if success(), and a key is never saved twice
            if not failed and not any(c.key == cache.key and c.ref == cache.ref for c in self.caches):
                cache.save(self.tmp / "caches" / str(len(self.caches)))
                self.caches.append(cache)
        job.outputs = {k: fill(v, {**context, "env": {**context["env"], **added_env}}) for k, v in (spec.get("outputs") or {}).items()}
        return job

    def _action(self, step: dict[str, Any], context: dict[str, Any], workspace: Path, shims: Path,
                run: Run) -> tuple[int, str, dict[str, str]]:
        """The stand-in for one third-party action: its exit status, log and outputs."""
        uses = step["uses"]
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), f"{uses} is not pinned to a commit"
        action = uses.split("@")[0]
        given = {k: fill(v, context) for k, v in (step.get("with") or {}).items()}
        if action == "actions/checkout":
            assert given.get("persist-credentials") == "false", f"{uses}: the checkout must keep no token"
            github = context["github"]
            ref = given.get("ref") or (f"refs/pull/{github['event']['number']}/head" if github["event_name"] == "pull_request"
                                       else github["sha"])
            dest = workspace / given.get("path", "")
            subprocess.run(["git", "clone", "-q", "--no-checkout", str(self.origin), str(dest)], check=True, capture_output=True)
            branches = _git(dest, "branch", "-r", "--format=%(refname:lstrip=3)").split()
            short = ref.removeprefix("refs/heads/")
            if short in branches:
                _git(dest, "checkout", "-q", "-B", short, f"origin/{short}")
            else:
                if ref.startswith("refs/"):
                    _git(dest, "fetch", "-q", "origin", f"+{ref}:{ref}")
                _git(dest, "checkout", "-q", "--detach", ref)
            return 0, f"checked out {ref} into {dest}", {}
        if action == "actions/setup-python":
            assert given.get("python-version"), f"{uses}: name the Python version"
            (shims / "python3").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
            (shims / "python3").chmod(0o755)
            return 0, f"python3 is {sys.executable}", {"python-version": "3.11"}
        if action == "actions/cache":
            return self._cache(given, context, workspace)
        if action in ("actions/upload-artifact", "actions/upload-pages-artifact"):
            name = given.get("name") or ("github-pages" if action.endswith("pages-artifact") else "artifact")
            src = workspace / given.get("path", "")
            if not src.exists() or not any(src.iterdir() if src.is_dir() else [src]):
                return 1, f"{action}: no files were found at {given.get('path')}", {}
            shutil.copytree(src, run.artifacts / name) if src.is_dir() else shutil.copy(src, run.artifacts / name)
            return 0, f"uploaded {name}", {"artifact-id": name}
        if action == "actions/deploy-pages":
            pages = run.artifacts / given.get("artifact_name", "github-pages")
            if not pages.exists():
                return 1, "deploy-pages: no github-pages artifact was uploaded", {}
            run.deployed = pages
            return 0, "deployed", {"page_url": "https://council.github.io/carehomes/"}
        raise AssertionError(f"the harness has no stand-in for {action}; add one")

    def _cache(self, given: dict[str, str], context: dict[str, Any], workspace: Path) -> tuple[int, str, dict[str, str]]:
        """actions/cache: restores the entry saved under ``key`` or, failing that, the newest whose key starts with one
        of ``restore-keys`` (in their order), from this run's ref or the default branch's only, as GitHub scopes
        caches; the job saves ``path`` under ``key`` when it succeeds and there was no exact hit."""
        key, ref = given["key"], context["github"]["ref"]
        paths = [workspace / line.strip() for line in given["path"].splitlines() if line.strip()]
        seen = [c for c in reversed(self.caches) if c.ref in (ref, "refs/heads/main")]
        prefixes = [k.strip() for k in given.get("restore-keys", "").splitlines() if k.strip()]
        found = next((c for c in seen if c.key == key), None) or next(
            (c for prefix in prefixes for c in seen if c.key.startswith(prefix)), None)
        if not (found and found.key == key):
            self._saves.append(Cache(key, ref, paths))
        if found is None:
            return 0, f"Cache not found for input keys: {key}", {"cache-hit": "false"}
        found.restore(paths)
        return 0, f"Cache restored from key: {found.key}", {"cache-hit": str(found.key == key).lower(),
                                                             "cache-matched-key": found.key}


@dataclass
class Cache:
    """One entry of actions/cache: its key, the ref whose run saved it, the paths saved and where their copies are."""

    key: str
    ref: str
    paths: list[Path]
    copies: Path | None = None

    def save(self, where: Path) -> None:
        for i, path in enumerate(self.paths):
            if path.is_dir():
                shutil.copytree(path, where / str(i))
            elif path.exists():
                (where / str(i)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, where / str(i))
        self.copies = where

    def restore(self, paths: list[Path]) -> None:
        """Into ``paths`` (the restoring step's, which name the same places as those saved)."""
        assert self.copies is not None
        for i, path in enumerate(paths):
            copy = self.copies / str(i)
            if copy.is_dir():
                shutil.copytree(copy, path, dirs_exist_ok=True)
            elif copy.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(copy, path)


def _job_order(jobs: dict[str, Any]) -> list[str]:
    """Jobs in an order where each comes after those it needs."""
    done: list[str] = []
    while len(done) < len(jobs):
        ready = [j for j, spec in jobs.items() if j not in done and all(
            n in done for n in ([spec["needs"]] if isinstance(spec.get("needs"), str) else spec.get("needs") or []))]
        assert ready, "the jobs' needs form a loop"
        done += ready
    return done


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t",
                               "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})
    assert done.returncode == 0, f"git {' '.join(args)} failed in {cwd}: {done.stderr}"
    return done.stdout


# --- a repository like GitHub's ------------------------------------------------------------------

SKIP = ("tests/", "bench/", "releases/", "providers/")


def seed_origin(tmp: Path, profiles: dict[str, str], stewards: str = "stewards:\n  - council-steward\n",
                extra: dict[str, str] | None = None) -> Path:
    """A bare repository like GitHub's: main holds this working tree's committed files (without tests,
    benchmarks, releases or profiles but the templates), the given profiles (file name: text) and stewards.yaml."""
    seed = tmp / "seed"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in filter(None, listed.split("\0")):
        src = ROOT / name
        if (name.startswith(SKIP) and not name.startswith("providers/_template")) or not src.is_file():
            continue
        dst = seed / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    (seed / "providers").mkdir(exist_ok=True)
    for name, text in profiles.items():
        (seed / "providers" / name).write_text(text)
    (seed / "stewards.yaml").write_text(stewards)
    for name, text in (extra or {}).items():
        (seed / name).write_text(text)
    _git(seed, "init", "-q", "-b", "main")
    _git(seed, "add", "-A")
    _git(seed, "commit", "-qm", "base")
    bare = tmp / "origin.git"
    _git(tmp, "clone", "-q", "--bare", str(seed), str(bare))
    shutil.rmtree(seed)
    return bare


def push_change(origin: Path, tmp: Path, ref: str, change: Any, message: str = "a change") -> str:
    """Commit ``change(folder)`` on a clone of main and push it to ``ref``; the new commit."""
    work = tmp / f"change-{abs(hash((ref, message))) % 10**8}"
    if work.exists():
        shutil.rmtree(work)
    _git(tmp, "clone", "-q", str(origin), str(work))
    change(work)
    _git(work, "add", "-A")
    _git(work, "commit", "-qm", message)
    _git(work, "push", "-q", "origin", f"HEAD:{ref}")
    return _git(work, "rev-parse", "HEAD").strip()
