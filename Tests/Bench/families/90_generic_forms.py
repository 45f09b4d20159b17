"""The generic rules' forms (issue 9): unquoted config values, names in every
case style, keyword arguments, tuples, JSON-escaped code, hex under a token's
name; and the noise they must stay quiet on: code, CSS, source maps, minified
bundles, test passwords, misspelled placeholders, vendored trees."""
from families import Case, decoy
from families.gen import rand, b62, hexs, urlsafe, B62

PW = B62 + "!%^*-_"

def pw(): return rand(1, B62) + rand(17, PW)

def cases():
    out = []
    def add(kind, path, fmt, value, shape="plain"):
        out.append(Case(kind, path, fmt.format(s=value), value, shape))
    add("generic", ".env.production", "NEWS_API_KEY={s}\n", b62(32), "unquoted-env")
    add("generic", "config/services.yaml", "newsapi:\n  api_key: {s}\n", hexs(32), "unquoted-yaml-hex")
    add("generic", "setup.cfg", "[service]\nclient-secret = {s}\n", urlsafe(40), "unquoted-ini-kebab")
    add("generic", "scripts/release.py", "GITHUB_TOKEN = '{s}'\n", hexs(40), "hex40-under-token")
    add("generic", "frontend/src/maps.ts", "const mapsApiKey = \"{s}\";\n", b62(32), "camelCase")
    add("password", "charts/web/values.yaml", "auth:\n  adminPassword: {s}\n", pw(), "helm-camelCase")
    add("password", "mysite/settings/prod.py", "DB_PASSWORD_PROD = '{s}'\n", pw(), "suffixed")
    add("password", "ops/check.py", "r = requests.get(url, auth=(\"deploy\", \"{s}\"))\n", pw(), "tuple")
    add("password", "scripts/deploy.py", "client.login(username='deploy', password=\"{s}\")\n", pw(), "kwarg")
    add("password", "notebooks/mail.ipynb", "{{\"cells\": [{{\"source\": [\"os.environ['SMTP_PASSWORD'] = \\\"{s}\\\"\\n\"]}}]}}\n", pw(), "json-escaped")
    add("password", "inventory/hosts", "[web]\nweb1 ansible_host=10.0.0.5 ansible_become_pass={s} ansible_user=deploy\n", pw(), "ansible-inventory")
    add("password", "Dockerfile.worker", "FROM python:3.12\nENV SMTP_PASSWORD {s}\n", pw(), "dockerfile-env")
    add("password", "deploy/app.toml", "[database]\npassword = \"{s}\"\n", pw(), "toml")
    add("password", "config/application.properties", "spring.datasource.password={s}\n", pw(), "properties")
    add("password", "app/config.py", "class Settings(BaseSettings):\n    db_password: str = \"{s}\"\n", pw(), "annotated")
    noise = [
        ("static/api.js", "var password = $form.find('input[name=password]').val();\nlet apiKey = config.apiKey;\n"),
        ("static/app.css", ".password-field:before{content:\"\\f023\"}.token-list{color:#a1b2c3d4}\n"),
        ("static/app.js.map", "{\"mappings\":\"AAAA\",\"sourcesContent\":[\"if(password==a.type)||b(c)\"]}\n"),
        ("static/dist/vendor.js", "var a=\"" + rand(2500, "abcdefghij") + "\";var cfg={apiKey:\"" + b62(32) + "\"};\n"),
        ("accounts/models.py", "    user.set_password(password).save()\n    _PasswordType = Callable[[str], str]\n"),
        ("accounts/tests/test_login.py", "self.assertFalse(self.client.login(username='bob', password='wrongpassword'))\nUser.objects.create_user('amy', password='password123')\n"),
        ("config_local.py", "PASSWORD = \"YOU_PASSWORD\"\n"),
        ("venv/lib/python3.12/site-packages/oauthlib/conf.py", "SMTP_PASSWORD = '" + pw() + "'\n"),
        ("frontend/node_modules/sdk/config.js", "module.exports = { apiKey: \"" + b62(32) + "\" };\n"),
        ("build_info.py", "GIT_COMMIT = '" + hexs(40) + "'\n"),
        ("k8s/ingress.yaml", "tls:\n  - secretName: web-tls-certificate\n"),
        (".env.sample", "API_KEY=${API_KEY}\nSECRET_TOKEN=<your-token>\n"),
    ]
    out += [decoy("generic-noise", p, t) for p, t in noise]
    return out
