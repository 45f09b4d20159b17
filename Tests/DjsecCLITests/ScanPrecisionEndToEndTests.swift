import DjsecTestSupport
import Foundation
import XCTest

/// Issue 9's precision: where a secret is decides how it is reported. Vendored
/// trees are other people's code, tests and docs hold throwaway keys, CSS and
/// source maps are not config, and a rule limited to some files wins there.
final class ScanPrecisionEndToEndTests: XCTestCase {
  private func make(_ name: String) -> String { SecretGenerator.make(name)! }

  private func finding(_ findings: [[String: Any]], _ secret: String) -> [String: Any]? {
    findings.first { $0["secret"] as? String == secret }
  }

  func testVendoredTreesAreSkippedUnlessAsked() throws {
    let repo = try GitFixture("vendored")
    let mine = make("password")
    let theirs = make("password")
    let token = make("base62_32")
    try repo.commit(
      "vendored",
      files: [
        "app/config.py": "SMTP_PASSWORD = '\(mine)'\n",
        "venv/lib/python3.12/site-packages/oauthlib/conf.py": "SMTP_PASSWORD = '\(theirs)'\n",
        "frontend/node_modules/sdk/config.js": "module.exports = { apiKey: \"\(token)\" };\n",
      ])
    let (status, findings, _) = try repo.scan()
    XCTAssertEqual(status, 1)
    XCTAssertNotNil(finding(findings, mine))
    XCTAssertNil(finding(findings, theirs), "site-packages is vendored: \(findings)")
    XCTAssertNil(finding(findings, token), "node_modules is vendored: \(findings)")
    let (_, all, _) = try repo.scan(["--include-vendored"])
    XCTAssertNotNil(finding(all, theirs))
    XCTAssertNotNil(finding(all, token))
    // On disk too, without walking the vendored tree.
    let (_, onDisk, _) = try repo.scan(["--no-git"])
    XCTAssertEqual(onDisk.compactMap { $0["secret"] as? String }, [mine])
  }

  func testTestsAndDocsAreLowUnlessTheFormatIsAProviders() throws {
    let repo = try GitFixture("tests-docs")
    let testKey = make("django_key")
    let docsKey = make("django_key")
    let prodKey = make("django_key")
    let live = "sk_live_" + make("base62_24")
    try repo.commit(
      "keys",
      files: [
        "tests/settings.py": "SECRET_KEY = '\(testKey)'\n",
        "docs/deploy.rst": "Set ``SECRET_KEY = '\(docsKey)'`` in production.\n",
        "mysite/settings.py": "DEBUG = False\nSECRET_KEY = '\(prodKey)'\n",
        "payments/tests/test_charge.py": "stripe.api_key = '\(live)'\n",
      ])
    let (_, findings, _) = try repo.scan()
    XCTAssertEqual(finding(findings, testKey)?["severity"] as? String, "low")
    XCTAssertEqual(finding(findings, docsKey)?["severity"] as? String, "low")
    XCTAssertEqual(finding(findings, prodKey)?["severity"] as? String, "critical")
    XCTAssertEqual(finding(findings, live)?["severity"] as? String, "critical", "a live Stripe key is critical anywhere")
    XCTAssertEqual(finding(findings, live)?["confidence"] as? String, "high")
    XCTAssertEqual(finding(findings, prodKey)?["confidence"] as? String, "medium")
  }

  func testCodeCSSMapsAndTestPasswordsAreQuiet() throws {
    let repo = try GitFixture("noise")
    try repo.commit(
      "noise",
      files: [
        "static/api.js": "var password = $form.find('input[name=password]').val();\nlet apiKey = config.apiKey;\n",
        "static/app.css": ".password-field:before{content:\"\\f023\"}.token-list{color:#a1b2c3d4}\n",
        "static/app.js.map": "{\"mappings\":\"AAAA\",\"sourcesContent\":[\"if(password==a.type)||b(c)\"]}\n",
        "accounts/models.py": "    user.set_password(password).save()\n    _PasswordType = Callable[[str], str]\n",
        "accounts/tests/test_login.py":
          "self.assertFalse(self.client.login(username='bob', password='wrongpassword'))\nUser.objects.create_user('amy', password='password123')\n",
        "config.py": "PASSWORD = \"YOU_PASSWORD\"\n",
      ])
    let (status, findings, _) = try repo.scan()
    XCTAssertEqual(findings.count, 0, "\(findings.map { ($0["rule"] ?? "", $0["path"] ?? "") })")
    XCTAssertEqual(status, 0)
  }

  func testUnquotedCamelCaseAndEscapedFormsAreFound() throws {
    let repo = try GitFixture("forms")
    let envKey = make("base62_32")
    let hexKey = make("hex32")
    let helm = make("password")
    let tupled = make("password")
    let notebook = make("password")
    let ansible = make("password")
    try repo.commit(
      "config",
      files: [
        ".env.production": "NEWS_API_KEY=\(envKey)\n",
        "weather/client.py": "WEATHER_API_KEY = '\(hexKey)'\n",
        "charts/web/values.yaml": "auth:\n  adminPassword: \(helm)\n",
        "ops/check.py": "requests.get(url, auth=(\"deploy\", \"\(tupled)\"))\n",
        "notebooks/mail.ipynb": "{\"cells\": [{\"source\": [\"os.environ['SMTP_PASSWORD'] = \\\"\(notebook)\\\"\\n\"]}]}\n",
        "inventory/hosts": "[web]\nweb1 ansible_host=10.0.0.5 ansible_become_pass=\(ansible) ansible_user=deploy\n",
      ])
    let (_, findings, _) = try repo.scan()
    for secret in [envKey, hexKey, helm, tupled, notebook, ansible] {
      XCTAssertNotNil(finding(findings, secret), "missed a value: \(findings.map { ($0["rule"] ?? "", $0["path"] ?? "") })")
    }
  }

  func testARuleForOneFileWinsThereAndOnlyThere() throws {
    let repo = try GitFixture("s3cfg")
    let awsSecret = make("aws_secret")
    let djangoKey = make("django_key")
    try repo.commit(
      "configs",
      files: [
        ".s3cfg": "[default]\naccess_key = \(make("aws_key_id"))\nsecret_key = \(awsSecret)\n",
        "deploy/app.ini": "[django]\nsecret_key = \(djangoKey)\n",
      ])
    let (_, findings, _) = try repo.scan()
    XCTAssertEqual(finding(findings, awsSecret)?["rule"] as? String, "aws-s3cfg-secret-key")
    XCTAssertEqual(finding(findings, djangoKey)?["rule"] as? String, "django-secret-key-config")
  }

  func testOneSecretInOneFileIsOneFindingWhateverTheRules() throws {
    let repo = try GitFixture("one-per-path")
    let k = make("django_key")
    try repo.commit(
      "docs",
      files: ["deploy/settings_prod.py": "SECRET_KEY = '\(k)'\nCONFIG = {'SECRET_KEY': '\(k)'}\n"])
    let (_, findings, _) = try repo.scan()
    let mine = findings.filter { $0["secret"] as? String == k }
    XCTAssertEqual(mine.count, 1, "\(mine.map { $0["rule"] ?? "" })")
    XCTAssertEqual(mine.first?["rule"] as? String, "django-secret-key", "the rule tried first names it")
    XCTAssertEqual(mine.first?["line"] as? Int, 1)
  }
}
