#!/usr/bin/env python3
"""Generate a realistic Django repository with a long history and planted leaks.

    make_history.py OUT_DIR [--commits N] [--seed S]

Writes a git repository to OUT_DIR/repo (through git fast-import, so 20,000
commits take seconds) and OUT_DIR/truth.json: every planted secret (must be
reported) and decoy (must not be). Credential values are drawn at run time in
each vendor's real format; nothing credential-like is stored in this file.
The shapes follow ../shared/corpus-spec.md: Django keys written every way,
common credentials, and history shapes (deleted, side branch, tag only,
introduced by a merge, renamed, inside a zip or a .pyc, UTF-16, CRLF, minified).
"""
import argparse, base64, io, json, os, py_compile, random, secrets, string, subprocess, sys, tempfile, zipfile, zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import families  # noqa: E402
from families.gen import digits_of  # noqa: E402

DJANGO = "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)"
B62 = string.ascii_letters + string.digits
URLSAFE = B62 + "-_"
B64 = B62 + "+/"
HEX = "0123456789abcdef"

def rand(n, alphabet): return "".join(secrets.choice(alphabet) for _ in range(n))

def django_key():
    while True:
        k = rand(50, DJANGO)
        if not k.startswith("$") and sum(c in "!@#$%^&*(=+)" for c in k) >= 2 and any(c.isdigit() for c in k):
            return k

def b62(n):
    return digits_of(n, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 6)

def github_token():
    body = rand(30, B62)
    return "ghp_" + body + b62(zlib.crc32(body.encode()) & 0xFFFFFFFF)

def pem(kind):
    d = "-" * 5
    body = "\n".join(rand(64, B64) for _ in range(12))
    return f"{d}BEGIN {kind}{d}\n{body}\n{d}END {kind}{d}"

class Repo:
    """Builds a fast-import stream: commits on branches, merges, tags."""
    def __init__(self, seed):
        self.out = io.StringIO()
        self.mark = 0
        self.time = 1_500_000_000
        self.rng = random.Random(seed)
        self.heads = {}
        self.truth = []

    def commit(self, branch, message, files=None, delete=(), merge=None, raw=None):
        self.mark += 1
        self.time += self.rng.randint(60, 7200)
        o = self.out
        o.write(f"commit refs/heads/{branch}\nmark :{self.mark}\n")
        o.write(f"author Dev {self.rng.randint(1, 9)} <dev@example.invalid> {self.time} +0000\n")
        o.write(f"committer Dev <dev@example.invalid> {self.time} +0000\n")
        msg = message.encode()
        o.write(f"data {len(msg)}\n{message}\n")
        if branch in self.heads:
            o.write(f"from :{self.heads[branch]}\n")
        if merge is not None:
            o.write(f"merge :{self.heads[merge]}\n")
        for path, content in (files or {}).items():
            data = content if isinstance(content, bytes) else content.encode()
            o.write(f"M 100644 inline {path}\ndata {len(data)}\n")
            o.write(data.decode("latin-1"))
            o.write("\n")
        for path in delete:
            o.write(f"D {path}\n")
        o.write("\n")
        self.heads[branch] = self.mark
        return self.mark

    def branch(self, name, start):
        self.heads[name] = self.heads[start]

    def tag(self, name, branch):
        self.out.write(f"reset refs/tags/{name}\nfrom :{self.heads[branch]}\n\n")

    def secret(self, kind, value, path, shape="plain"):
        self.truth.append({"kind": kind, "secret": value, "path": path, "shape": shape, "expect": True})

    def decoy(self, kind, text, path):
        self.truth.append({"kind": kind, "secret": text, "path": path, "shape": "decoy", "expect": False})

SETTINGS_HEAD = "from pathlib import Path\nimport os\n\nBASE_DIR = Path(__file__).resolve().parent.parent\n"

def plant(repo):
    """The leaks and decoys, each in its own commit on main unless the shape says otherwise."""
    c = lambda path, text, msg="config": repo.commit("main", msg, {path: text})
    k = django_key(); c("mysite/settings/prod.py", SETTINGS_HEAD + f"DEBUG = False\nALLOWED_HOSTS = ['shop.example.com']\nSECRET_KEY = '{k}'\n"); repo.secret("django", k, "mysite/settings/prod.py")
    k = django_key(); c("mysite/settings/staging.py", SETTINGS_HEAD + f'SECRET_KEY = "{k}"\n'); repo.secret("django", k, "mysite/settings/staging.py")
    k = django_key(); c("mysite/settings/qa.py", f'SECRET_KEY = """{k}"""\n'); repo.secret("django", k, "mysite/settings/qa.py")
    k = django_key(); c("mysite/settings/ci.py", f"SECRET_KEY = (\n    '{k[:20]}'\n    '{k[20:]}'\n)\n"); repo.secret("django", k, "mysite/settings/ci.py", "concatenated")
    k = django_key(); c("mysite/settings/demo.py", f"SECRET_KEY = '{k[:25]}' + \\\n    '{k[25:]}'\n"); repo.secret("django", k, "mysite/settings/demo.py", "concatenated")
    k1, k2 = django_key(), django_key(); c("mysite/settings/base.py", SETTINGS_HEAD + f"SECRET_KEY = os.environ['DJANGO_SECRET_KEY']\nSECRET_KEY_FALLBACKS = [\n    '{k1}',\n    '{k2}',\n]\n"); repo.secret("django", k1, "mysite/settings/base.py", "fallbacks"); repo.secret("django", k2, "mysite/settings/base.py", "fallbacks")
    k = django_key(); c("mysite/settings/env1.py", f"SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', '{k}')\n"); repo.secret("django", k, "mysite/settings/env1.py", "default")
    k = django_key(); c("mysite/settings/env2.py", f'SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", "{k}")\n'); repo.secret("django", k, "mysite/settings/env2.py", "default")
    k = django_key(); c("mysite/settings/env3.py", f"from decouple import config\nSECRET_KEY = config('SECRET_KEY', default='{k}')\n"); repo.secret("django", k, "mysite/settings/env3.py", "default")
    k = django_key(); c("mysite/settings/env4.py", f"import environ\nenv = environ.Env()\nSECRET_KEY = env('SECRET_KEY', default='{k}')\n"); repo.secret("django", k, "mysite/settings/env4.py", "default")
    k = "django-insecure-" + django_key(); c("mysite/settings/production.py", f"DEBUG = False\nALLOWED_HOSTS = ['example.com']\nSECRET_KEY = '{k}'\n"); repo.secret("django-insecure", k, "mysite/settings/production.py")
    for path, fmt in [(".env.production", "DJANGO_SECRET_KEY={k}\n"), (".env", "DJANGO_SECRET_KEY='{k}'\n"),
                      ("deploy/values.yaml", "env:\n  DJANGO_SECRET_KEY: \"{k}\"\n"),
                      ("docker-compose.yml", "services:\n  web:\n    environment:\n      DJANGO_SECRET_KEY: '{k}'\n"),
                      ("docker-compose.prod.yml", "services:\n  web:\n    environment:\n      - DJANGO_SECRET_KEY={k}\n"),
                      ("config/settings.json", "{{\"DJANGO_SECRET_KEY\": \"{k}\", \"DEBUG\": false}}\n"),
                      ("pyproject.toml", "[tool.django]\nsecret_key = \"{k}\"\n"), ("setup.cfg", "[django]\nsecret_key = {k}\n"),
                      ("Dockerfile", "FROM python:3.11\nENV DJANGO_SECRET_KEY={k}\n"), ("terraform/prod.tfvars", "django_secret_key = \"{k}\"\n"),
                      ("scripts/deploy.sh", "#!/bin/sh\nexport DJANGO_SECRET_KEY='{k}'\n"), ("gunicorn.conf.py", "raw_env = [\"DJANGO_SECRET_KEY={k}\"]\n"),
                      ("notebooks/explore.ipynb", "{{\"cells\": [{{\"cell_type\": \"code\", \"source\": [\"SECRET_KEY = \\\"{k}\\\"\\n\"]}}]}}\n")]:
        k = django_key(); c(path, fmt.format(k=k)); repo.secret("django", k, path)
    k = django_key(); c("k8s/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web\ntype: Opaque\ndata:\n  DJANGO_SECRET_KEY: " + base64.b64encode(k.encode()).decode() + "\n"); repo.secret("django", k, "k8s/secret.yaml", "base64")
    k = django_key(); c("windows/settings.py", f"DEBUG = False\r\nSECRET_KEY = '{k}'\r\n"); repo.secret("django", k, "windows/settings.py", "crlf")
    k = django_key(); c("legacy/settings.env", b"\xff\xfe" + f"DJANGO_SECRET_KEY={k}\r\n".encode("utf-16-le")); repo.secret("django", k, "legacy/settings.env", "utf16")
    k = django_key(); filler = "function a(b){return b*2};" * 20000; c("static/js/app.min.js", filler + f'var cfg={{SECRET_KEY:"{k}"}};' + filler); repo.secret("django", k, "static/js/app.min.js", "minified")
    k = django_key(); z = io.BytesIO(); zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED).writestr("app/.env", f"DJANGO_SECRET_KEY={k}\n"); c("dist/release.zip", z.getvalue()); repo.secret("django", k, "dist/release.zip", "zip")
    k = django_key()
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "settings.py"); open(src, "w").write(f"SECRET_KEY = '{k}'\n")
        py_compile.compile(src, cfile=src + "c"); pyc = open(src + "c", "rb").read()
    c("mysite/__pycache__/settings.cpython-311.pyc", pyc); repo.secret("django", k, "mysite/__pycache__/settings.cpython-311.pyc", "pyc")

    # Common credentials in their real formats.
    aws_id, aws_secret = "AKIA" + rand(16, string.ascii_uppercase + "234567"), rand(40, B64)
    c("deploy/aws.env", f"AWS_ACCESS_KEY_ID={aws_id}\nAWS_SECRET_ACCESS_KEY={aws_secret}\n"); repo.secret("aws", aws_id, "deploy/aws.env"); repo.secret("aws", aws_secret, "deploy/aws.env")
    t = github_token(); c("scripts/release.py", f"GITHUB_TOKEN = '{t}'\n"); repo.secret("github", t, "scripts/release.py")
    t = "github_pat_" + rand(22, B62) + "_" + rand(59, B62); c("requirements/private.txt", f"git+https://{t}@github.com/acme/private.git#egg=private\n"); repo.secret("github", t, "requirements/private.txt")
    t = "glpat-" + rand(20, B62); c(".gitlab-token", f"GITLAB_TOKEN={t}\n"); repo.secret("gitlab", t, ".gitlab-token")
    t = "xoxb-" + rand(11, string.digits) + "-" + rand(13, string.digits) + "-" + rand(24, B62); c("notify/slack.py", f"SLACK_BOT_TOKEN = '{t}'\n"); repo.secret("slack", t, "notify/slack.py")
    t = "https://hooks.slack.com/services/T" + rand(9, string.ascii_uppercase + string.digits) + "/B" + rand(10, string.ascii_uppercase + string.digits) + "/" + rand(24, B62); c("notify/hooks.py", f"WEBHOOK = '{t}'\n"); repo.secret("slack", t, "notify/hooks.py")
    t = "sk_live_" + rand(24, B62); c("payments/settings.py", f"STRIPE_SECRET_KEY = '{t}'\n"); repo.secret("stripe", t, "payments/settings.py")
    t2 = "sk_live_" + rand(24, B62); c("payments/tests/cassettes/charge.yaml", f"request:\n  headers:\n    Authorization:\n    - Bearer {t2}\n"); repo.secret("stripe", t2, "payments/tests/cassettes/charge.yaml")
    t = "AIza" + rand(35, URLSAFE); c("templates/map.html", f'<script src="https://maps.googleapis.com/maps/api/js?key={t}&callback=init"></script>\n'); repo.secret("google", t, "templates/map.html")
    t = pem("RSA PRIVATE KEY"); c("deploy/id_rsa", t + "\n"); repo.secret("private-key", t, "deploy/id_rsa")
    t = pem("EC PRIVATE KEY"); c("certs/server.key", t + "\n"); repo.secret("private-key", t, "certs/server.key")
    t = pem("OPENSSH PRIVATE KEY"); c("deploy/id_ed25519", t + "\n"); repo.secret("private-key", t, "deploy/id_ed25519")
    t = "SG." + rand(22, URLSAFE) + "." + rand(43, URLSAFE); c("mysite/email.py", f"SENDGRID_API_KEY = '{t}'\n"); repo.secret("sendgrid", t, "mysite/email.py")
    t = rand(32, HEX); c("sms/conf.py", f"TWILIO_AUTH_TOKEN = '{t}'\n"); repo.secret("twilio", t, "sms/conf.py")
    t = rand(32, B62); c("sms/api.py", f"TWILIO_API_SECRET = '{t}'\n"); repo.secret("twilio", t, "sms/api.py")
    t = rand(32, HEX) + "-" + rand(8, HEX) + "-" + rand(8, HEX); c("mysite/anymail.py", f"ANYMAIL = {{'MAILGUN_API_KEY': '{t}'}}\n"); repo.secret("mailgun", t, "mysite/anymail.py")
    t = "npm_" + rand(36, B62); c("frontend/.npmrc", f"//registry.npmjs.org/:_authToken={t}\n"); repo.secret("npm", t, "frontend/.npmrc")
    t = "pypi-AgEIcHlwaS5vcmc" + rand(70, URLSAFE); c(".pypirc", f"[pypi]\nusername = __token__\npassword = {t}\n"); repo.secret("pypi", t, ".pypirc")
    t = rand(32, B62); c("api/jwt.py", f"SIMPLE_JWT = {{\n    'SIGNING_KEY': '{t}',\n}}\n"); repo.secret("jwt", t, "api/jwt.py")
    p = rand(20, B62); c("mysite/settings/db.py", f"DATABASES = {{\n    'default': {{\n        'ENGINE': 'django.db.backends.postgresql',\n        'PASSWORD': '{p}',\n    }}\n}}\n"); repo.secret("password", p, "mysite/settings/db.py")
    p = rand(20, B62); c(".env.db", f"DATABASE_URL=postgres://app:{p}@db.internal:5432/app\n"); repo.secret("password", p, ".env.db")
    p = rand(20, B62); c("mysite/celery.py", f"BROKER_URL = 'amqp://celery:{p}@rabbit:5672//'\n"); repo.secret("password", p, "mysite/celery.py")
    p = rand(20, B62); c("charts/web/values.yaml", f"postgresql:\n  auth:\n    password: {p}\n"); repo.secret("password", p, "charts/web/values.yaml")
    p = rand(20, B62); c("ansible/group_vars/prod.yml", f"db_password: {p}\n"); repo.secret("password", p, "ansible/group_vars/prod.yml")

    # History shapes.
    k = django_key(); repo.commit("main", "add local settings", {"mysite/local_settings.py": f"SECRET_KEY = '{k}'\n"}); repo.commit("main", "oops", delete=["mysite/local_settings.py"]); repo.secret("django", k, "mysite/local_settings.py", "deleted")
    repo.branch("feature/payments", "main"); k = django_key(); repo.commit("feature/payments", "wip", {"payments/keys.py": f"SECRET_KEY = '{k}'\n"}); repo.secret("django", k, "payments/keys.py", "branch")
    repo.branch("release-tmp", "main"); k = django_key(); repo.commit("release-tmp", "release", {"release/settings.py": f"SECRET_KEY = '{k}'\n"}); repo.tag("v0.9-hotfix", "release-tmp"); repo.secret("django", k, "release/settings.py", "tag")
    repo.branch("side", "main"); repo.commit("side", "side work", {"side.py": "x = 1\n"}); repo.commit("main", "main work", {"main.py": "y = 2\n"})
    k = django_key(); repo.commit("main", "Merge branch 'side'", {"mysite/merge_settings.py": f"SECRET_KEY = '{k}'\n"}, merge="side"); repo.secret("django", k, "mysite/merge_settings.py", "merge")
    k = django_key(); repo.commit("main", "add", {"old/conf.py": f"SECRET_KEY = '{k}'\n"}); repo.commit("main", "rename", {"new/conf.py": f"SECRET_KEY = '{k}'\n"}, delete=["old/conf.py"]); repo.secret("django", k, "old/conf.py", "renamed")
    repo.branch("cleanup", "main"); k = django_key(); repo.commit("cleanup", "add", {"tmp/secret.py": f"SECRET_KEY = '{k}'\n"}); repo.commit("cleanup", "rm", delete=["tmp/secret.py"]); repo.commit("main", "Merge cleanup", {}, merge="cleanup"); repo.secret("django", k, "tmp/secret.py", "merged-then-deleted")

    # Decoys: none of these may be reported.
    decoys = {
        "mysite/settings/example.py": "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']\n",
        ".env.example": "DJANGO_SECRET_KEY=change-me-please\nDATABASE_URL=postgres://postgres:postgres@localhost:5432/app\n",
        "docs/install.md": "Set `SECRET_KEY = 'your-secret-key-here'` and `SECRET_KEY = '<SECRET_KEY>'`.\n",
        "docker-compose.override.yml": "services:\n  web:\n    environment:\n      DJANGO_SECRET_KEY: ${DJANGO_SECRET_KEY}\n",
        "deploy/values.tpl.yaml": "SECRET_KEY: \"{{ secret_key }}\"\n",
        ".github/workflows/ci.yml": "env:\n  DJANGO_SECRET_KEY: ${{ secrets.DJANGO_SECRET_KEY }}\n",
        "docs/aws.md": "aws_access_key_id = AKIA" + "IOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY\n",
        "payments/test_settings.py": "STRIPE_SECRET_KEY = '" + "sk_test_" + "4eC39HqLyjWD" + "arjtT1zdp7dc" + "'\nSTRIPE_PUBLISHABLE_KEY = 'pk_live_" + rand(24, B62) + "'\n",
        "docs/db.py": "DATABASES = {'default': {'PASSWORD': 'postgres'}}\nTEST_PASSWORD = 'password'\n",
        "staticfiles.json": json.dumps({"paths": {"app.js": "app." + rand(12, HEX) + ".js"}, "hash": rand(64, HEX)}) + "\n",
        "package-lock.json": json.dumps({"integrity": "sha512-" + rand(86, B64) + "=="}) + "\n",
        "app/migrations/0001_initial.py": f"ID = '{rand(8, HEX)}-{rand(4, HEX)}-{rand(4, HEX)}-{rand(4, HEX)}-{rand(12, HEX)}'\n",
        "keys/deploy.pub": "ssh-rsa AAAAB3NzaC1yc2E" + rand(300, B64) + " deploy@example\n",
        "certs/ca.pem": "-----BEGIN CERTIFICATE-----\n" + rand(64, B64) + "\n-----END CERTIFICATE-----\n",
        "group_vars/vault.yml": "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  " + rand(64, HEX) + "\n",
        "secrets.enc.yaml": "password: ENC[AES256_GCM,data:" + rand(24, B64) + ",iv:" + rand(24, B64) + ",tag:" + rand(24, B64) + ",type:str]\n",
        "templates/logo.html": "<img src=\"data:image/png;base64," + rand(400, B64) + "\">\n",
        "auth/tests/test_hashers.py": "encoded = 'pbkdf2_sha256$600000$" + rand(22, B62) + "$" + rand(43, B64) + "='\n",
        "lfs/model.bin": "version https://git-lfs.github.com/spec/v1\noid sha256:" + rand(64, HEX) + "\nsize 1234\n",
    }
    for path, text in decoys.items():
        repo.commit("main", "docs", {path: text}); repo.decoy("decoy", text, path)

    # Every credential family, from families/ (one module per provider group).
    for case in families.all_cases():
        repo.commit("main", f"{case.kind} config", {case.path: case.text})
        if case.secret is None:
            repo.decoy(case.kind, case.text, case.path)
        else:
            repo.secret(case.kind, case.secret, case.path, case.shape)

def ordinary(repo, n, rng):
    """Everyday development: views, models, tests and templates changing."""
    modules = [f"app{i}/{f}" for i in range(40) for f in ("views.py", "models.py", "tests.py", "urls.py", "templates/index.html")]
    words = ["user", "order", "item", "price", "total", "cart", "login", "report", "invoice", "customer"]
    for i in range(n):
        path = rng.choice(modules)
        w = rng.choice(words)
        body = "".join(f"def {w}_{j}(request):\n    return render(request, '{w}.html', {{'n': {rng.randint(0, 999)}}})\n\n" for j in range(rng.randint(5, 40)))
        repo.commit("main", f"Update {path} ({i})", {path: body})

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--commits", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    repo = Repo(a.seed)
    rng = random.Random(a.seed)
    ordinary(repo, a.commits // 2, rng)
    plant(repo)
    ordinary(repo, a.commits - a.commits // 2, rng)
    path = os.path.join(a.out, "repo")
    subprocess.run(["git", "init", "-q", "-b", "main", path], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=repo.out.getvalue().encode("latin-1"), check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=path, check=True)
    json.dump(repo.truth, open(os.path.join(a.out, "truth.json"), "w"), indent=1)
    print(f"{path}: {repo.mark} commits, {sum(t['expect'] for t in repo.truth)} planted secrets, {sum(not t['expect'] for t in repo.truth)} decoys")

if __name__ == "__main__":
    main()
