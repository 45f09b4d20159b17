#!/usr/bin/env python3
"""Runs a composite action's steps (action.yml) the way GitHub's runner does,
so the tests can use djsec's action without GitHub. Written from GitHub's
documentation of composite actions and expressions, not from djsec's action:

- `${{ expr }}` in `env`, `with`, `if` and `working-directory`, over the
  contexts `inputs` (action.yml's defaults, then --input), `github`
  (--github JSON), `runner.temp`, `steps.<id>.outputs`, and the functions
  success(), failure() and always(); `if` without a status function means
  `success() && (...)`. Comparison follows GitHub's rules: same types compare
  directly (strings without case), other types are coerced to numbers (null
  is 0, '' is 0, a string that is not a number is NaN).
- a `run` step: `bash --noprofile --norc -eo pipefail FILE` (GitHub's `shell:
  bash`), with GITHUB_OUTPUT (`name=value` and `name<<DELIM` lines) fresh per
  step and GITHUB_PATH, whose lines go in front of PATH for later steps.
- a `uses` step is not run (it is another action): it is recorded with its
  evaluated `with`, for the test to judge.

Prints JSON: each step's name, outcome, outputs and log, and the `uses` calls.
"""
import argparse, json, math, os, re, subprocess, sys, tempfile

import yaml


class Expression:
    TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\)|,)|(?P<name>[A-Za-z_][\w.-]*))")

    def __init__(self, text, lookup, status):
        self.tokens, pos = [], 0
        text = text.strip()
        while pos < len(text):
            m = self.TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise ValueError(f"cannot read expression {text!r} at {pos}")
            kind = m.lastgroup
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.i, self.lookup, self.status = 0, lookup, status

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.i += 1
        return token

    def parse(self):
        value = self.disjunction()
        if self.i != len(self.tokens):
            raise ValueError(f"unexpected {self.peek()[1]!r}")
        return value

    def disjunction(self):
        left = self.conjunction()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.conjunction()
            left = left if truthy(left) else right
        return left

    def conjunction(self):
        left = self.comparison()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.comparison()
            left = right if truthy(left) else left
        return left

    def comparison(self):
        left = self.unary()
        while self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            right = self.unary()
            left = equal(left, right) if op == "==" else not equal(left, right)
        return left

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        kind, value = self.take()
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if kind == "num":
            return float(value)
        if kind == "op" and value == "(":
            inner = self.disjunction()
            self.take()
            return inner
        if kind == "name":
            if self.peek() == ("op", "("):
                self.take()
                self.take()  # the status functions take no argument
                return self.status(value)
            if value in ("true", "false"):
                return value == "true"
            if value == "null":
                return None
            return self.lookup(value)
        raise ValueError(f"unexpected {value!r}")


def truthy(v):
    return not (v is None or v is False or v == "" or (isinstance(v, float) and (v == 0 or math.isnan(v))))


def number(v):
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    s = str(v).strip()
    if s == "":
        return 0.0
    try:
        return float(s)
    except ValueError:
        return math.nan


def equal(a, b):
    if type(a) is type(b):
        return a.lower() == b.lower() if isinstance(a, str) else a == b
    return number(a) == number(b)


def text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else str(v)
    return str(v)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("action_dir")
    p.add_argument("--input", action="append", default=[], help="NAME=VALUE")
    p.add_argument("--github", default="{}", help="the github context as JSON")
    p.add_argument("--workspace", required=True)
    args = p.parse_args()

    action = yaml.safe_load(open(os.path.join(args.action_dir, "action.yml")))
    assert action["runs"]["using"] == "composite", "only composite actions"
    inputs = {k: text(v.get("default", "")) for k, v in (action.get("inputs") or {}).items()}
    for pair in args.input:
        name, _, value = pair.partition("=")
        if name not in inputs:
            sys.exit(f"action.yml has no input {name!r}")
        inputs[name] = value
    github = json.loads(args.github)
    github.setdefault("action_path", os.path.abspath(args.action_dir))
    temp = tempfile.mkdtemp(prefix="runner-temp-")
    contexts = {"inputs": inputs, "github": github, "runner": {"temp": temp, "os": "Linux"}, "steps": {}}
    failed = False

    def lookup(path):
        value = contexts
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def status(name):
        return {"success": not failed, "failure": failed, "always": True, "cancelled": False}[name]

    def evaluate(expr):
        return Expression(expr, lookup, status).parse()

    def interpolate(s):
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: text(evaluate(m.group(1))), str(s))

    def condition(s):
        expr = str(s).strip()
        if expr.startswith("${{") and expr.endswith("}}"):
            expr = expr[3:-2]
        if not re.search(r"\b(success|failure|always|cancelled)\(\)", expr):
            expr = f"success() && ({expr})"
        return truthy(evaluate(expr))

    path_file = os.path.join(temp, "github_path")
    open(path_file, "w").close()
    report = {"steps": [], "uses": []}
    for index, step in enumerate(action["runs"]["steps"]):
        name = step.get("name", f"step {index}")
        if not condition(step.get("if", "success()")):
            report["steps"].append({"name": name, "outcome": "skipped"})
            continue
        if "uses" in step:
            report["uses"].append({"uses": step["uses"], "with": {k: interpolate(v) for k, v in (step.get("with") or {}).items()}})
            report["steps"].append({"name": name, "outcome": "success"})
            continue
        assert step.get("shell") == "bash", f"{name}: composite run steps must name their shell"
        env = dict(os.environ)
        added = [line for line in open(path_file).read().splitlines() if line]
        env["PATH"] = os.pathsep.join(list(reversed(added)) + [env.get("PATH", "/usr/bin:/bin")])
        env.update({k: interpolate(v) for k, v in (step.get("env") or {}).items()})
        output_file = os.path.join(temp, f"output_{index}")
        open(output_file, "w").close()
        env.update({"GITHUB_OUTPUT": output_file, "GITHUB_PATH": path_file, "RUNNER_TEMP": temp,
                    "GITHUB_ACTION_PATH": github["action_path"], "GITHUB_WORKSPACE": args.workspace, "CI": "true",
                    "GITHUB_ACTIONS": "true"})
        script = os.path.join(temp, f"step_{index}.sh")
        open(script, "w").write(step["run"])
        cwd = os.path.join(args.workspace, interpolate(step.get("working-directory", ".")))
        r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=cwd, env=env,
                           capture_output=True, text=True)
        outputs, lines = {}, open(output_file).read().split("\n")
        while lines:
            line = lines.pop(0)
            if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
                key, delim = line.split("<<", 1)
                value = []
                while lines and lines[0] != delim:
                    value.append(lines.pop(0))
                lines.pop(0)
                outputs[key] = "\n".join(value)
            elif "=" in line:
                key, value = line.split("=", 1)
                outputs[key] = value
        if "id" in step:
            contexts["steps"][step["id"]] = {"outputs": outputs, "outcome": "success" if r.returncode == 0 else "failure"}
        failed = failed or r.returncode != 0
        report["steps"].append({"name": name, "outcome": "success" if r.returncode == 0 else "failure", "exit": r.returncode,
                                "outputs": outputs, "log": r.stdout + r.stderr})
    report["failed"] = failed
    report["runner_temp"] = temp
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
