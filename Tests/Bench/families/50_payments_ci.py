"""Payments, CI and code hosting, package registries and deployment platforms:
one planted case per credential family, in the syntax a Django project would
hold it in (settings.py, .env, docker-compose, Helm values, GitHub workflows,
JSON, requirements.txt, ...), and a decoy beside it (a placeholder, a public
id of the same provider, a test-mode key, a near miss). Values are drawn at
run time; the formats with a checksum or a structured payload are assembled
here (GitLab's routable tokens, Private Packagist tokens, Supabase JWTs)."""
import base64, json, uuid, zlib
from families import Case, decoy
from families.gen import rand, hexs, b62, urlsafe, LOWER, DIGITS, digits_of

B32 = LOWER + "234567"

def _b36(n, width):
    return digits_of(n, "0123456789abcdefghijklmnopqrstuvwxyz", width)

def _b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")

def gitlab_routable(prefix):
    """GitLab's routable token: payload, version, payload length, CRC32 in base 36."""
    import secrets
    routing = f"c:1\no:{rand(2, DIGITS)}\nu:{rand(3, DIGITS)}".encode()
    payload = _b64url(secrets.token_bytes(16) + routing + bytes([len(routing)]))
    head = f"{prefix}{payload}.01.{_b36(len(payload), 2)}"
    return head + _b36(zlib.crc32(head.encode()) & 0xFFFFFFFF, 7)

def packagist(prefix):
    head = prefix + hexs(60)
    return head + format(zlib.crc32(head.encode()) & 0xFFFFFFFF, "08x")

def supabase_jwt(role):
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"iss": "supabase", "ref": rand(20, LOWER), "role": role, "iat": 1700000000, "exp": 2000000000}
    return header + "." + _b64url(json.dumps(claims, separators=(",", ":")).encode()) + "." + urlsafe(43)

def uid(): return str(uuid.uuid4())

def cases():
    out = []
    def plant(kind, path, text, secret): out.append(Case(kind, path, text, secret))
    def fake(kind, path, text): out.append(decoy(kind, path, text))

    # Payments
    s = "sk_live_" + hexs(40)
    plant("paystack", "shop/settings/production.py", f"PAYSTACK_SECRET_KEY = '{s}'\n", s)
    fake("paystack", "shop/settings/base.py", f"PAYSTACK_PUBLIC_KEY = 'pk_live_{hexs(40)}'\n")
    s = "EAAA" + urlsafe(60)
    plant("square", "deploy/helm/values-prod.yaml", f"env:\n  SQUARE_ACCESS_TOKEN: \"{s}\"\n  SQUARE_ENVIRONMENT: production\n", s)
    fake("square", "deploy/helm/values.yaml", f"env:\n  SQUARE_APPLICATION_ID: sq0idp-{urlsafe(22)}\n")
    s = "sq0csp-" + urlsafe(43)
    plant("square-app-secret", "config/square.json", json.dumps({"application_id": "sq0idp-" + urlsafe(22), "application_secret": s}, indent=2) + "\n", s)
    fake("square-app-secret", "docs/square.md", "Set `SQUARE_APPLICATION_SECRET=sq0csp-...` in your environment.\n")
    s = f"access_token$production${hexs(16)}${hexs(32)}"
    plant("braintree", "payments/.env.production", f"BRAINTREE_ACCESS_TOKEN={s}\n", s)
    fake("braintree", "payments/.env.development", f"BRAINTREE_ACCESS_TOKEN=access_token$sandbox${hexs(16)}${hexs(32)}\n")
    s = "E" + urlsafe(79)
    plant("paypal", "docker-compose.prod.yml", f"services:\n  web:\n    environment:\n      - PAYPAL_CLIENT_SECRET={s}\n", s)
    fake("paypal", "docker-compose.yml", f"services:\n  web:\n    environment:\n      - PAYPAL_CLIENT_ID=A{urlsafe(79)}\n")
    s = b62(24)
    plant("razorpay", "billing/.env", f"RAZORPAY_KEY_ID=rzp_live_{b62(14)}\nRAZORPAY_KEY_SECRET={s}\n", s)
    fake("razorpay", "billing/.env.example", "RAZORPAY_KEY_ID=rzp_live_XXXXXXXXXXXXXX\nRAZORPAY_KEY_SECRET=your_razorpay_key_secret\n")
    s = f"AQE{urlsafe(40)}+{b62(30)}==-{b62(40)}=-{b62(10)}"
    plant("adyen", "checkout/settings.py", f"ADYEN_API_KEY = \"{s}\"\nADYEN_MERCHANT_ACCOUNT = \"AcmeECOM\"\n", s)
    fake("adyen", "checkout/static/adyen.js", f"const clientKey = \"test_{rand(32, '0123456789ABCDEF')}\";\n")
    s = f"access-production-{uid()}"
    plant("plaid-access", "banking/fixtures/items.json", json.dumps([{"model": "banking.item", "pk": 1, "fields": {"access_token": s}}], indent=2) + "\n", s)
    fake("plaid-access", "banking/.env.development", f"PLAID_ENV=sandbox\nPLAID_ACCESS_TOKEN=access-sandbox-{uid()}\n")
    s = hexs(30)
    plant("plaid-secret", ".github/workflows/ci.yml", f"jobs:\n  test:\n    env:\n      PLAID_CLIENT_ID: {hexs(24)}\n      PLAID_SECRET: {s}\n", s)
    fake("plaid-secret", ".github/workflows/ci-sandbox.yml", "jobs:\n  test:\n    env:\n      PLAID_SECRET: ${{ secrets.PLAID_SECRET }}\n")
    s = f"FLWSECK-{hexs(32)}-X"
    plant("flutterwave", "payments/flutterwave.py", f"FLW = Rave(secret_key=\"{s}\")\n", s)
    fake("flutterwave", "payments/.env.test", f"FLW_SECRET_KEY=FLWSECK_TEST-{hexs(32)}-X\nFLW_PUBLIC_KEY=FLWPUBK_TEST-{hexs(32)}-X\n")
    s = "live_" + b62(30)
    plant("mollie", "shop/.env.production", f"MOLLIE_API_KEY={s}\n", s)
    fake("mollie", "shop/.env.test", f"MOLLIE_API_KEY=test_{b62(30)}\n")
    s = "live_" + urlsafe(40)
    plant("gocardless", "deploy/k8s/secret.yaml", f"apiVersion: v1\nkind: Secret\nstringData:\n  GC_ACCESS_TOKEN: {s}\n", s)
    fake("gocardless", "deploy/k8s/secret-staging.yaml", f"apiVersion: v1\nkind: Secret\nstringData:\n  GC_ACCESS_TOKEN: sandbox_{urlsafe(40)}\n")
    s = "sk_" + rand(26, B32)
    plant("checkout", "payments/conf.toml", f"[checkout]\nCKO_SECRET_KEY = \"{s}\"\n", s)
    fake("checkout", "payments/conf.staging.toml", f"[checkout]\nCKO_SECRET_KEY = \"sk_sbox_{rand(26, B32)}\"\n")
    s = f"pdl_live_apikey_{rand(26, LOWER + DIGITS)}_{b62(22)}_{b62(3)}"
    plant("paddle", "billing/paddle_client.py", f"client = Client(\"{s}\")\n", s)
    fake("paddle", "billing/.env", f"PADDLE_CLIENT_TOKEN=live_{hexs(27)}\n")
    s = uid()
    plant("coinbase", "crypto/.env", f"COINBASE_COMMERCE_API_KEY={s}\n", s)
    fake("coinbase", "crypto/templates/pay.html", f"<a href=\"https://commerce.coinbase.com/checkout/{uid()}\">Pay with crypto</a>\n")
    s = f"eyJ{urlsafe(40)}.eyJ{urlsafe(200)}.{urlsafe(342)}"
    plant("lemonsqueezy", "store/.env", f"LEMONSQUEEZY_API_KEY={s}\nLEMONSQUEEZY_STORE_ID=12345\n", s)
    fake("lemonsqueezy", "store/.env.example", "LEMONSQUEEZY_API_KEY=eyJ...\nLEMONSQUEEZY_STORE_ID=12345\n")
    s = uid()
    plant("wise", "payouts/settings.py", f"WISE_API_TOKEN = '{s}'\nWISE_PROFILE_ID = 12345678\n", s)
    fake("wise", "payouts/views.py", f"otherwise_token = '{uid()}'\n")

    # CI and code hosting
    s = gitlab_routable("glpat-")
    plant("gitlab-routable", ".gitlab-ci.yml", f"variables:\n  PRIVATE_TOKEN: {s}\n", s)
    fake("gitlab-routable", ".gitlab-ci.example.yml", f"variables:\n  PRIVATE_TOKEN: glpat-{urlsafe(40)}.01.14{hexs(7)}\n")
    s = "glrt-" + urlsafe(20)
    plant("gitlab-runner", "deploy/runner/config.toml", f"[[runners]]\n  name = \"django-ci\"\n  url = \"https://gitlab.com\"\n  token = \"{s}\"\n", s)
    fake("gitlab-runner", "docs/runner.md", "  token = \"glrt-...\"\n")
    s = "gldt-" + urlsafe(20)
    plant("gitlab-deploy", "requirements/private.txt", f"git+https://gitlab+deploy-token-42:{s}@gitlab.com/acme/billing.git@v2.1#egg=billing\n", s)
    fake("gitlab-deploy", "requirements/private.example.txt", "git+https://gitlab+deploy-token-42:gldt-xxxxxxxxxxxxxxxxxxxx@gitlab.com/acme/billing.git#egg=billing\n")
    s = "glptt-" + hexs(40)
    plant("gitlab-trigger", "scripts/trigger_docs.sh", f"curl -X POST -F token={s} -F ref=main https://gitlab.com/api/v4/projects/42/trigger/pipeline\n", s)
    fake("gitlab-trigger", "scripts/trigger_docs.example.sh", "curl -X POST -F token=$TRIGGER_TOKEN -F ref=main https://gitlab.com/api/v4/projects/42/trigger/pipeline\n")
    s = "gloas-" + hexs(64)
    plant("gitlab-oauth", "accounts/settings.py", f"SOCIAL_AUTH_GITLAB_KEY = '{hexs(64)}'\nSOCIAL_AUTH_GITLAB_SECRET = '{s}'\n", s)
    fake("gitlab-oauth", "accounts/settings_example.py", "SOCIAL_AUTH_GITLAB_SECRET = 'gloas-...'\n")
    s = "glcbt-" + hexs(2) + "_" + urlsafe(20)
    plant("gitlab-job", "ci/debug-job.log", f"$ curl --header \"JOB-TOKEN: {s}\" https://gitlab.com/api/v4/projects/42/packages/pypi\n", s)
    fake("gitlab-job", "ci/publish.sh", "curl --header \"JOB-TOKEN: $CI_JOB_TOKEN\" https://gitlab.com/api/v4/projects/42/packages/pypi\n")
    s = "glagent-" + urlsafe(50)
    plant("gitlab-agent", "deploy/agent/values.yaml", f"config:\n  kasAddress: wss://kas.gitlab.com\n  token: {s}\n", s)
    fake("gitlab-agent", "deploy/agent/values.example.yaml", "config:\n  token: glagent-<your-agent-token>\n")
    s = "ATBB" + b62(32)
    plant("bitbucket-app", "scripts/mirror.sh", f"git push https://deploy:{s}@bitbucket.org/acme/app.git main\n", s)
    fake("bitbucket-app", "scripts/mirror.example.sh", "git push https://deploy:ATBB...@bitbucket.org/acme/app.git main\n")
    s = "ATCTT3xFfGN0" + urlsafe(180) + "=" + rand(8, "0123456789ABCDEF")
    plant("bitbucket-access", "bitbucket-pipelines.yml", f"pipelines:\n  default:\n    - step:\n        script:\n          - export BB_TOKEN=\"{s}\"\n", s)
    fake("bitbucket-access", "docs/bitbucket.md", "Access tokens start with `ATCTT3xFfGN0`.\n")
    s = f"CCIPAT_{b62(22)}_{hexs(40)}"
    plant("circleci", ".circleci/trigger.sh", f"curl -H \"Circle-Token: {s}\" https://circleci.com/api/v2/me\n", s)
    fake("circleci", ".circleci/config.yml", f"version: 2.1\n# built from {hexs(40)}\njobs:\n  test:\n    docker:\n      - image: cimg/python:3.12\n")
    s = "bkua_" + hexs(40)
    plant("buildkite", ".buildkite/hooks/environment", f"export BUILDKITE_API_TOKEN=\"{s}\"\n", s)
    fake("buildkite", ".buildkite/pipeline.yml", "steps:\n  - command: \"pytest\"\n    env:\n      BUILDKITE_ORGANIZATION_SLUG: acme-inc\n")
    s = urlsafe(22)
    plant("travis", ".travis/deploy.env", f"TRAVIS_API_TOKEN={s}\n", s)
    fake("travis", ".travis.yml", "language: python\nenv:\n  - TRAVIS_API_TOKEN=$TRAVIS_TOKEN\n")
    s = uid()
    plant("codecov", ".github/workflows/test.yml", f"      - uses: codecov/codecov-action@v4\n        with:\n          codecov_token: {s}\n", s)
    fake("codecov", ".github/workflows/coverage.yml", "      - uses: codecov/codecov-action@v4\n        with:\n          token: ${{ secrets.CODECOV_TOKEN }}\n")
    s = "sqp_" + hexs(40)
    plant("sonarqube", "sonar-project.properties", f"sonar.projectKey=acme_django\nsonar.token={s}\n", s)
    fake("sonarqube", "sonar-project.example.properties", "sonar.projectKey=acme_django\nsonar.token=${env.SONAR_TOKEN}\n")
    s = uid()
    plant("snyk", ".github/workflows/security.yml", f"      - run: snyk test\n        env:\n          SNYK_TOKEN: {s}\n", s)
    fake("snyk", ".github/workflows/security-org.yml", f"      - run: snyk monitor --org={uid()}\n        env:\n          SNYK_TOKEN: ${{{{ secrets.SNYK_TOKEN }}}}\n")
    s = b62(76) + "AZDO" + b62(4)
    plant("azure-devops", "scripts/release.ps1", f"$env:AZURE_DEVOPS_EXT_PAT = \"{s}\"\naz devops login --organization https://dev.azure.com/acme\n", s)
    fake("azure-devops", "azure-pipelines.yml", "variables:\n  AZURE_DEVOPS_EXT_PAT: $(System.AccessToken)\n")
    s = "11" + hexs(32)
    plant("jenkins", "deploy/jenkins.env", f"JENKINS_URL=https://ci.acme.io\nJENKINS_API_TOKEN={s}\n", s)
    fake("jenkins", "deploy/jenkins.example.env", "JENKINS_URL=https://ci.acme.io\nJENKINS_API_TOKEN=<your-api-token>\n")
    s = hexs(32)
    plant("drone", "deploy/drone/docker-compose.yml", f"services:\n  drone:\n    environment:\n      DRONE_RPC_SECRET: {s}\n      DRONE_SERVER_HOST: drone.acme.io\n", s)
    fake("drone", ".drone.yml", "kind: pipeline\nsteps:\n  - name: test\n    image: python:3.12\n    environment:\n      DRONE_TOKEN:\n        from_secret: drone_token\n")
    s = f"{b62(14)}.atlasv1.{urlsafe(67)}"
    plant("terraform", "infra/credentials.tfrc.json", json.dumps({"credentials": {"app.terraform.io": {"token": s}}}, indent=2) + "\n", s)
    fake("terraform", "infra/README.md", "Put a token like `xxxxxxxxxxxxxx.atlasv1.zzzzzzzzzzzzz` in credentials.tfrc.json.\n")
    s = "pul-" + hexs(40)
    plant("pulumi", "infra/Pulumi.prod.env", f"PULUMI_ACCESS_TOKEN={s}\n", s)
    fake("pulumi", "infra/Pulumi.yaml", "name: acme-infra\nruntime: python\n")

    # Package registries
    s = "dckr_pat_" + urlsafe(27)
    plant("docker-hub", ".github/workflows/image.yml", f"      - uses: docker/login-action@v3\n        with:\n          username: acme\n          password: {s}\n", s)
    fake("docker-hub", ".github/workflows/image-pr.yml", "      - uses: docker/login-action@v3\n        with:\n          username: acme\n          password: ${{ secrets.DOCKERHUB_TOKEN }}\n")
    s = "rubygems_" + hexs(48)
    plant("rubygems", "tools/gem/credentials", f"---\n:rubygems_api_key: {s}\n", s)
    fake("rubygems", "tools/gem/acme.gemspec", "spec.metadata['rubygems_mfa_required'] = 'true'\n")
    s = "oy2" + rand(43, B32)
    plant("nuget", "clients/dotnet/NuGet.Config", f"<configuration>\n  <apikeys>\n    <add key=\"https://www.nuget.org\" value=\"{s}\" />\n  </apikeys>\n</configuration>\n", s)
    fake("nuget", "clients/dotnet/README.md", "dotnet nuget push pkg.nupkg --api-key oy2... --source nuget.org\n")
    s = "cio" + b62(32)
    plant("crates", "rust/ext/.cargo/credentials.toml", f"[registry]\ntoken = \"{s}\"\n", s)
    fake("crates", "rust/ext/Cargo.toml", "[package]\nname = \"acme-ext\"\nversion = \"0.1.0\"\n")
    s = "AKCp" + b62(69)
    plant("jfrog", "requirements/jfrog.txt", f"--extra-index-url https://deploy:{s}@acme.jfrog.io/artifactory/api/pypi/pypi/simple\ndjango-acme==2.3\n", s)
    fake("jfrog", "requirements/jfrog.example.txt", "--extra-index-url https://deploy:${ARTIFACTORY_TOKEN}@acme.jfrog.io/artifactory/api/pypi/pypi/simple\n")
    s = packagist("packagist_out_")
    plant("packagist", "frontend/auth.json", json.dumps({"http-basic": {"repo.packagist.com": {"username": "token", "password": s}}}, indent=2) + "\n", s)
    wrong_checksum = "packagist_out_" + hexs(68)
    fake("packagist", "frontend/auth.example.json", json.dumps({"http-basic": {"repo.packagist.com": {"username": "token", "password": wrong_checksum}}}) + "\n")
    s = urlsafe(30)
    plant("anaconda", ".github/workflows/conda.yml", f"      - run: anaconda upload dist/*.tar.bz2\n        env:\n          ANACONDA_API_TOKEN: {s}\n", s)
    fake("anaconda", "environment.yml", "name: acme\ndependencies:\n  - python=3.12\n")
    s = "CLOJARS_" + hexs(60)
    plant("clojars", "tools/clj/credentials.clj", f"{{#\"clojars\" {{:username \"acme\" :password \"{s}\"}}}}\n", s)
    fake("clojars", "tools/clj/deps.edn", "{:deps {org.clojure/clojure {:mvn/version \"1.11.1\"}}}\n")
    s = b62(44)
    plant("sonatype", "android/gradle.properties", f"mavenCentralUsername=acme\nmavenCentralPassword={s}\n", s)
    fake("sonatype", "android/gradle.example.properties", "mavenCentralUsername=acme\nmavenCentralPassword=${MAVEN_CENTRAL_PASSWORD}\n")
    s = b62(32)
    plant("gradle-portal", "android/plugin/gradle.properties", f"gradle.publish.key={b62(32)}\ngradle.publish.secret={s}\n", s)
    fake("gradle-portal", "android/plugin/gradle.example.properties", f"gradle.publish.key={b62(32)}\ngradle.publish.secret=${{GRADLE_PUBLISH_SECRET}}\n")

    # Deployment platforms
    s = f"fm2_{b62(200)}==,fm2_{b62(120)}"
    plant("fly", "fly/.env", f"FLY_API_TOKEN=\"FlyV1 {s}\"\n", s)
    fake("fly", "fly.toml", "app = \"acme-django\"\nprimary_region = \"cdg\"\n")
    s = "nfp_" + b62(40)
    plant("netlify", "frontend/netlify.env", f"NETLIFY_AUTH_TOKEN={s}\nNETLIFY_SITE_ID={uid()}\n", s)
    fake("netlify", "frontend/netlify.toml", "[build]\n  command = \"npm run build\"\n  publish = \"dist\"\n")
    s = b62(24)
    plant("vercel", "frontend/.github/workflows/preview.yml", f"      - run: vercel deploy --token=$VERCEL_TOKEN\n        env:\n          VERCEL_TOKEN: {s}\n", s)
    fake("vercel", "frontend/.vercel/project.json", json.dumps({"projectId": "prj_" + b62(28), "orgId": "team_" + b62(24)}) + "\n")
    s = "rnd_" + b62(32)
    plant("render", "render/deploy.sh", f"curl -H 'Authorization: Bearer {s}' https://api.render.com/v1/services\n", s)
    fake("render", "render.yaml", "services:\n  - type: web\n    name: acme-django\n    env: python\n")
    s = uid()
    plant("railway", "railway/.env", f"RAILWAY_TOKEN={s}\n", s)
    fake("railway", "railway.json", json.dumps({"build": {"builder": "NIXPACKS"}, "deploy": {"startCommand": "gunicorn acme.wsgi"}}) + "\n")
    s = "sbp_" + hexs(40)
    plant("supabase-pat", ".github/workflows/migrations.yml", f"      - run: supabase db push\n        env:\n          SUPABASE_ACCESS_TOKEN: {s}\n", s)
    fake("supabase-pat", "supabase/config.toml", f"project_id = \"{rand(20, LOWER)}\"\n")
    s = "sb_secret_" + urlsafe(31)
    plant("supabase-secret", "api/.env", f"SUPABASE_URL=https://{rand(20, LOWER)}.supabase.co\nSUPABASE_SECRET_KEY={s}\n", s)
    fake("supabase-secret", "web/.env.production", f"SUPABASE_PUBLISHABLE_KEY=sb_publishable_{urlsafe(31)}\n")
    s = supabase_jwt("service_role")
    plant("supabase-service-role", "api/settings.py", f"SUPABASE = {{\n    'URL': 'https://{rand(20, LOWER)}.supabase.co',\n    'SERVICE_ROLE_KEY': '{s}',\n}}\n", s)
    fake("supabase-service-role", "web/src/supabase.js", f"export const supabase = createClient(url, '{supabase_jwt('anon')}')\n")
    s = "pscale_pw_" + urlsafe(43)
    plant("planetscale", "deploy/.env.production", f"DATABASE_URL=mysql://{rand(12, LOWER)}:{s}@aws.connect.psdb.cloud/acme?ssl-mode=REQUIRED\n", s)
    fake("planetscale", "deploy/.env.example", "DATABASE_URL=mysql://user:${PLANETSCALE_PASSWORD}@aws.connect.psdb.cloud/acme\nPLANETSCALE_SERVICE_TOKEN=pscale_tkn_...\n")
    s = "napi_" + rand(64, LOWER + DIGITS)
    plant("neon", ".github/workflows/preview-db.yml", f"      - uses: neondatabase/create-branch-action@v5\n        with:\n          api_key: {s}\n", s)
    fake("neon", "native/addon.c", "napi_create_function(env, NULL, 0, Method, NULL, &fn);\n")
    s = "ddp_" + b62(36)
    plant("deno", "edge/deploy.sh", f"deployctl deploy --project=acme-edge --token={s} main.ts\n", s)
    fake("deno", "edge/deno.json", json.dumps({"tasks": {"deploy": "deployctl deploy --project=acme-edge main.ts"}}) + "\n")
    return out
