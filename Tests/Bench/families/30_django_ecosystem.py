"""What a Django project and its deployment hold besides Django's own key:
social-login secrets, JWTs, credential files, other frameworks' keys in the
same repository, chat webhooks and web-app keys. Each family is planted in the
syntax it is usually found in, with a decoy beside it (a placeholder, a
documented example, a public id of the same provider)."""
import base64, hashlib, hmac, json, secrets
from families import Case, decoy
from families.gen import B62, B64, DIGITS, UPPER, b62, hexs, rand, urlsafe

BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def plant(path, text, secret, kind):
    """A planted case; the kind (a rule id) comes last, so that no committed
    line pairs a secret-sounding name with a string value."""
    return Case(kind, path, text, secret)


def fake(path, text, kind):
    return decoy(kind, path, text)


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(header, claims, signature=None):
    head = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + b64url(json.dumps(claims, separators=(",", ":")).encode())
    return head + "." + (signature if signature is not None else urlsafe(43))


def jwt_io_sample():
    """jwt.io's documented sample, built from its documented parts: the header,
    the claims and the HMAC-SHA256 key the page displays."""
    head = jwt({"alg": "HS256", "typ": "JWT"}, {"sub": "1234567890", "name": "John Doe", "iat": 1516239022}, "")[:-1]
    key = "your-256-bit" + "-secret"
    return head + "." + b64url(hmac.new(key.encode(), head.encode(), hashlib.sha256).digest())


def bech32_polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= gen[i]
    return chk


def age_identity():
    bits = "".join(f"{b:08b}" for b in secrets.token_bytes(32))
    bits += "0" * (-len(bits) % 5)
    data = [int(bits[i:i + 5], 2) for i in range(0, len(bits), 5)]
    hrp = b"age-secret-key-"
    poly = bech32_polymod([c >> 5 for c in hrp] + [0] + [c & 31 for c in hrp] + data + [0] * 6) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return "AGE-SECRET-KEY-1" + "".join(BECH32[d] for d in data + checksum).upper()


def uuid():
    h = hexs(32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def basic_b64(user, password):
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def social_login():
    fb, gh, az = hexs(32), hexs(40), rand(3, B62) + "8Q~" + urlsafe(34)
    tw, bearer = b62(50), "A" * 21 + b62(8) + "A" * 7 + b62(20) + "%2B" + b62(12) + "%3D" + b62(50)
    li, okta, auth0 = b62(16), "00" + urlsafe(40), urlsafe(64)
    allauth = (
        "SOCIALACCOUNT_PROVIDERS = {\n"
        "    'facebook': {\n"
        "        'METHOD': 'oauth2',\n"
        f"        'APP': {{'client_id': '{rand(15, DIGITS)}', 'secret': '{fb}'}},\n"
        "    },\n"
        "    'github': {\n"
        f"        'APP': {{'client_id': 'Iv1.{hexs(16)}', 'secret': '{gh}'}},\n"
        "    },\n"
        "}\n"
    )
    return [
        plant("mysite/settings/social.py", allauth, fb, "facebook-app-secret"),
        plant("mysite/settings/social.py", allauth, gh, "github-oauth-client-secret"),
        fake(".github/workflows/release.yml", f"env:\n  GITHUB_SHA: {hexs(40)}\n  GITHUB_CLIENT_ID: Iv1.{hexs(16)}\n", "github-oauth-client-secret"),
        plant("deploy/helm/values-prod.yaml", f"auth:\n  azuread:\n    tenantId: {uuid()}\n    clientId: {uuid()}\n    clientSecret: \"{az}\"\n", az, "azure-ad-client-secret"),
        fake("deploy/helm/values.yaml", "auth:\n  azuread:\n    clientSecret: \"\"  # set in the sealed secret\n", "azure-ad-client-secret"),
        plant(".env.production", f"SOCIAL_AUTH_TWITTER_KEY={b62(25)}\nSOCIAL_AUTH_TWITTER_SECRET={tw}\n", tw, "twitter-api-secret"),
        plant("tweets/client.py", f"BEARER = \"{bearer}\"\nclient = tweepy.Client(bearer_token=BEARER)\n", bearer, "twitter-bearer-token"),
        fake(".env.example", "SOCIAL_AUTH_TWITTER_KEY=\nSOCIAL_AUTH_TWITTER_SECRET=your_twitter_api_secret\n", "twitter-api-secret"),
        plant("mysite/settings/prod.py", f"SOCIAL_AUTH_LINKEDIN_OAUTH2_KEY = '{b62(14)}'\nSOCIAL_AUTH_LINKEDIN_OAUTH2_SECRET = '{li}'\n", li, "linkedin-client-secret"),
        plant("scripts/sync_users.py", f"session.headers['Authorization'] = 'SSWS {okta}'\n", okta, "okta-api-token"),
        fake("docs/okta.md", "Send `Authorization: SSWS ${OKTA_API_TOKEN}` with every request.\n", "okta-api-token"),
        plant("docker-compose.prod.yml", f"services:\n  web:\n    environment:\n      AUTH0_CLIENT_ID: {b62(32)}\n      AUTH0_CLIENT_SECRET: {auth0}\n", auth0, "auth0-client-secret"),
        fake("docker-compose.yml", "services:\n  web:\n    environment:\n      AUTH0_CLIENT_SECRET: ${AUTH0_CLIENT_SECRET}\n", "auth0-client-secret"),
    ]


def tokens():
    signed = jwt({"alg": "RS256", "typ": "JWT", "kid": b62(16)}, {"sub": rand(6, DIGITS), "scope": "orders:read"}, urlsafe(342))
    unsigned = jwt({"alg": "none"}, {"sub": rand(6, DIGITS)}, "")
    mapbox_secret = "sk.eyJ1Ijoi" + b62(40) + "In0." + urlsafe(22)
    mapbox_public = "pk.eyJ1Ijoi" + b62(40) + "In0." + urlsafe(22)
    return [
        plant("orders/tests/fixtures/api.http", f"GET https://api.corp.io/v1/orders\nAuthorization: Bearer {signed}\n", signed, "jwt"),
        fake("docs/api.md", f"Decode a token such as `{jwt_io_sample()}` on jwt.io, or an unsigned `{unsigned}`.\n", "jwt"),
        plant(".github/workflows/ios.yml", f"env:\n  MAPBOX_DOWNLOADS_TOKEN: {mapbox_secret}\n", mapbox_secret, "mapbox-secret-token"),
        fake("templates/store_map.html", f'<img src="https://api.mapbox.com/styles/v1/mapbox/streets-v12/static/0,0,2/300x200?access_token={mapbox_public}">\n', "mapbox-secret-token"),
    ]


def credential_files():
    netrc_pw, pg_pw, dock_pw, npm_pw, pypirc_pw = b62(24), b62(20), b62(20), b62(16), b62(18)
    dock = basic_b64("deploy", dock_pw)
    npm_auth = basic_b64("ci", b62(20))
    npm_token = urlsafe(40)
    npm_password = base64.b64encode(npm_pw.encode()).decode()
    pip_pw, git_pw = b62(22), b62(20)
    return [
        plant("deploy/netrc", f"machine git.corp.io\n  login ci-bot\n  password {netrc_pw}\n", netrc_pw, "netrc-password"),
        fake("docs/deploy.md", "Put `machine api.heroku.com login you@corp.io password <your-api-key>` in ~/.netrc.\n", "netrc-password"),
        plant("deploy/.pgpass", f"db.internal:5432:shop:shop_app:{pg_pw}\n", pg_pw, "pgpass-password"),
        fake("docs/pgpass.txt", f"db.internal:5432:shop:shop_app:{b62(20)}\n", "pgpass-password"),
        plant("deploy/docker/config.json", json.dumps({"auths": {"registry.gitlab.com": {"auth": dock}}}, indent=2) + "\n", dock, "docker-config-auth"),
        fake("deploy/docker/config.example.json", json.dumps({"auths": {"ghcr.io": {}}, "credsStore": "desktop"}, indent=2) + "\n", "docker-config-auth"),
        plant("frontend/.npmrc", f"registry=https://nexus.corp.io/repository/npm/\n_auth={npm_auth}\nalways-auth=true\n", npm_auth, "npmrc-auth"),
        plant("frontend/packages/ui/.npmrc", f"@corp:registry=https://npm.corp.io/\n//npm.corp.io/:_authToken={npm_token}\n", npm_token, "npmrc-auth-token"),
        plant("frontend/packages/admin/.npmrc", f"//npm.corp.io/:username=ci\n//npm.corp.io/:_password={npm_password}\n", npm_password, "npmrc-password"),
        fake("frontend/.npmrc.example", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n", "npmrc-auth-token"),
        plant("ci/pypirc", f"[distutils]\nindex-servers = corp\n\n[corp]\nrepository = https://pypi.corp.io/\nusername = ci\npassword = {pypirc_pw}\n", pypirc_pw, "pypirc-password"),
        fake("ci/pypirc.example", "[pypi]\nusername = __token__\npassword = <your-api-token>\n", "pypirc-password"),
        plant("requirements/private.txt", f"--extra-index-url https://ci:{pip_pw}@pypi.corp.io/simple/\ncorp-billing==2.4.1\n", pip_pw, "credential-url-password"),
        plant("deploy/git-credentials", f"https://oauth2:{git_pw}@gitlab.corp.io\n", git_pw, "credential-url-password"),
    ]


def frameworks():
    wp, rails, master, laravel, flask = b62(40) + "#" + urlsafe(23), hexs(128), hexs(32), "base64:" + rand(43, B64) + "=", urlsafe(43)
    return [
        plant("blog/wp-config.php", f"<?php\ndefine( 'DB_NAME', 'blog' );\ndefine( 'AUTH_KEY',         '{wp}' );\n", wp, "wordpress-auth-keys"),
        fake("blog/wp-config-sample.php", "<?php\ndefine( 'AUTH_KEY',         'put your unique phrase here' );\ndefine( 'SECURE_AUTH_KEY',  'put your unique phrase here' );\n", "wordpress-auth-keys"),
        plant("legacy/config/secrets.yml", f"production:\n  secret_key_base: {rails}\n", rails, "rails-secret-key-base"),
        fake("legacy/config/secrets.example.yml", "production:\n  secret_key_base: <%= ENV[\"SECRET_KEY_BASE\"] %>\n", "rails-secret-key-base"),
        plant("legacy/config/master.key", master + "\n", master, "rails-master-key"),
        fake("static/vendor/checksums.md5", hexs(32) + "\n", "rails-master-key"),
        plant("shop-php/.env", f"APP_NAME=Shop\nAPP_ENV=production\nAPP_KEY={laravel}\n", laravel, "laravel-app-key"),
        fake("shop-php/.env.example", "APP_NAME=Shop\nAPP_KEY=\n", "laravel-app-key"),
        plant("tools/admin_app.py", f"app = Flask(__name__)\napp.config['SECRET_KEY'] = '{flask}'\n", flask, "flask-secret-key"),
        fake("tools/dev_app.py", "app = Flask(__name__)\napp.config['SECRET_KEY'] = os.environ['SECRET_KEY']\n", "flask-secret-key"),
    ]


def webhooks():
    legacy, xapp = b62(24), "xapp-1-A" + rand(10, UPPER + DIGITS) + "-" + rand(13, DIGITS) + "-" + hexs(64)
    config, refresh = "xoxe.xoxp-1-" + b62(150), "xoxe-1-" + b62(146)
    discord = b64url(("1" + rand(18, DIGITS)).encode()) + "." + urlsafe(6) + "." + urlsafe(38)
    teams = f"https://corp.webhook.office.com/webhookb2/{uuid()}@{uuid()}/IncomingWebhook/{hexs(32)}/{uuid()}/V2{urlsafe(40)}"
    return [
        plant("ops/jenkins.yml", f"notify:\n  slack: https://hooks.slack.com/services/hooks/jenkins-ci?token={legacy}\n", legacy, "slack-legacy-webhook-token"),
        plant("bots/.env", f"SLACK_BOT_TOKEN=${{SLACK_BOT_TOKEN}}\nSLACK_APP_TOKEN={xapp}\n", xapp, "slack-app-token"),
        plant("bots/manifest_sync.py", f"client = WebClient(token=\"{config}\")\n", config, "slack-config-token"),
        plant("bots/tokens.json", json.dumps({"refresh_token": refresh}) + "\n", refresh, "slack-refresh-token"),
        fake("bots/README.md", "Rotate with tooling.tokens.rotate: it returns `xoxe.xoxp-...` and a refresh token `xoxe-1-abcdefg`.\n", "slack-config-token"),
        plant("bots/discord_bot.py", f"bot.run('{discord}')\n", discord, "discord-bot-token"),
        fake("bots/README.md", "Run `python discord_bot.py` with DISCORD_BOT_TOKEN set (Developer Portal, Bot tab).\n", "discord-bot-token"),
        plant("mysite/settings/alerts.py", f"TEAMS_WEBHOOK_URL = '{teams}'\n", teams, "teams-webhook"),
        fake("mysite/settings/alerts_example.py", "TEAMS_WEBHOOK_URL = 'https://corp.webhook.office.com/webhookb2/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'\n", "teams-webhook"),
    ]


def web_app_keys():
    whsec, recaptcha, hcaptcha = "whsec_" + b62(32), "6L" + urlsafe(38), "0x" + hexs(40)
    turnstile, fcm = "0x4AAAAAAA" + urlsafe(25), "AAAA" + urlsafe(7) + ":APA91b" + urlsafe(134)
    algolia, pusher, age = hexs(32), hexs(20), age_identity()
    return [
        plant("payments/settings.py", f"DJSTRIPE_WEBHOOK_SECRET = '{whsec}'\n", whsec, "stripe-webhook-secret"),
        fake("payments/README.md", "Set `DJSTRIPE_WEBHOOK_SECRET=whsec_...` from the dashboard.\n", "stripe-webhook-secret"),
        plant("mysite/settings/forms.py", f"RECAPTCHA_PUBLIC_KEY = '6L{urlsafe(38)}'\nRECAPTCHA_PRIVATE_KEY = '{recaptcha}'\n", recaptcha, "recaptcha-secret-key"),
        fake(".env.test", "RECAPTCHA_PUBLIC_KEY=6LeIxAcTAAAAA" + urlsafe(27) + "\nRECAPTCHA_PRIVATE_KEY=6LeIxAcTAAAAA" + urlsafe(27) + "\n", "recaptcha-secret-key"),
        plant(".env.staging", f"HCAPTCHA_SITEKEY={uuid()}\nHCAPTCHA_SECRET={hcaptcha}\n", hcaptcha, "hcaptcha-secret-key"),
        fake("payments/chain.py", f"PAYOUT_ADDRESS = '0x{hexs(40)}'\n", "hcaptcha-secret-key"),
        plant("deploy/k8s/web.env", f"TURNSTILE_SITE_KEY=0x4AAAAAAA{urlsafe(14)}\nTURNSTILE_SECRET_KEY={turnstile}\n", turnstile, "turnstile-secret-key"),
        fake(".env.ci", "TURNSTILE_SITE_KEY=1x00000000000000000000AA\nTURNSTILE_SECRET_KEY=1x0000000000000000000000000000000AA\n", "turnstile-secret-key"),
        plant("notifications/settings.py", f"FCM_DJANGO_SETTINGS = {{\n    \"FCM_SERVER_KEY\": \"{fcm}\",\n}}\n", fcm, "fcm-server-key"),
        plant("search/settings.py", f"ALGOLIA = {{\n    'APPLICATION_ID': '{rand(10, UPPER + DIGITS)}',\n    'API_KEY': '{algolia}',\n}}\n", algolia, "algolia-admin-key"),
        fake("frontend/src/search.js", f"const searchClient = algoliasearch('{rand(10, UPPER + DIGITS)}', '{hexs(32)}');\n", "algolia-admin-key"),
        plant("realtime/.env", f"PUSHER_APP_ID={rand(7, DIGITS)}\nPUSHER_APP_KEY={hexs(20)}\nPUSHER_APP_SECRET={pusher}\n", pusher, "pusher-app-secret"),
        plant("deploy/sops/keys.txt", f"# created: 2026-01-05T10:00:00Z\n# public key: age1{rand(58, BECH32)}\n{age}\n", age, "age-secret-key"),
        fake("deploy/sops/README.md", "Export SOPS_AGE_KEY=AGE-SECRET-KEY-1... before running sops.\n", "age-secret-key"),
    ]


def cases():
    return social_login() + tokens() + credential_files() + frameworks() + webhooks() + web_app_keys()
