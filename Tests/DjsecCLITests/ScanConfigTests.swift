import DjsecTestSupport
import Foundation
import XCTest

/// `.djsec.toml`, gitleaks rule files and `.gitleaksignore`, as a team
/// switching from gitleaks uses them, on real temporary repositories.
final class ScanConfigTests: XCTestCase {
  private func token(_ prefix: String, hex: Int) -> String { prefix + SecretGenerator.random(hex, from: SecretGenerator.hex) }

  /// A team's own rule is reported; disabled rules, changed severities,
  /// fail-on and allow lists apply; flags still win over the file.
  func testDjsecTomlExtendsTheBuiltInRules() throws {
    let repo = try GitFixture("config-djsec-toml")
    let acme = token("acme_", hex: 32)
    let fixture = token("acme_", hex: 32)
    let django = SecretGenerator.make("django_key")!
    let stripe = SecretGenerator.make("stripe_live")!
    let allowedValue = SecretGenerator.make("password")!
    try repo.commit(
      "app",
      files: [
        "app/client.py": "ACME = \"\(acme)\"\n",
        "app/fixtures/sample.py": "ACME = \"\(fixture)\"\n",
        "app/settings.py": "SECRET_KEY = \"\(django)\"\n",
        "app/pay.py": "STRIPE_SECRET_KEY = \"\(stripe)\"\n",
        "app/db.py": "DB_PASSWORD = \"\(allowedValue)\"\n",
      ])
    let plain = try repo.scan()
    XCTAssertFalse(plain.findings.contains { $0["path"] as? String == "app/client.py" }, "no built-in rule knows acme_")

    try repo.write(
      ".djsec.toml",
      """
      # the team's scan settings
      fail-on = "critical"
      disabled-rules = ["django-secret-key"]

      [severity]
      stripe-live-key = "low"

      [[allow]]
      paths = ['''(^|/)fixtures/''']

      [[allow]]
      values = ["\(allowedValue)"]

      [[rules]]
      id = "acme-api-key"
      description = "ACME API key"
      regex = '''\\b(acme_[0-9a-f]{32})\\b'''
      keywords = ["acme_"]
      severity = "critical"
      """)
    let r = try repo.scan()
    let byPath = Dictionary(r.findings.map { ($0["path"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    XCTAssertEqual(byPath["app/client.py"]?["rule"] as? String, "acme-api-key", r.stderr)
    XCTAssertEqual(byPath["app/client.py"]?["secret"] as? String, acme)
    XCTAssertEqual(byPath["app/client.py"]?["severity"] as? String, "critical")
    XCTAssertNil(byPath["app/fixtures/sample.py"], "allowed by path")
    XCTAssertFalse(r.findings.contains { $0["rule"] as? String == "django-secret-key" }, "disabled")
    XCTAssertEqual(byPath["app/pay.py"]?["severity"] as? String, "low", "severity changed")
    XCTAssertNil(byPath["app/db.py"], "allowed by value")
    XCTAssertEqual(r.status, 1, "the critical ACME key fails at fail-on critical")

    // fail-on from the file: the low Stripe finding alone passes; the flag wins over the file.
    try repo.write("app/client.py", "ACME = None\n")
    try repo.commit("drop acme")
    let range = try repo.scan(["--since", "HEAD~1"])
    XCTAssertEqual(range.status, 0, range.stderr)
    XCTAssertEqual(try repo.scan(["--fail-on", "low"]).status, 1)

    // SARIF lists the rules the scan ran with: the team's, not the disabled one.
    let sarif = try CLI.djsec(["scan", repo.root.path, "--format", "sarif"])
    let doc = try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any]
    let runs = doc?["runs"] as? [[String: Any]]
    let driver = (runs?.first?["tool"] as? [String: Any])?["driver"] as? [String: Any]
    let ids = Set(((driver?["rules"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
    XCTAssertTrue(ids.contains("acme-api-key"))
    XCTAssertFalse(ids.contains("django-secret-key"))
    XCTAssertTrue(ids.contains("stripe-live-key"))

    // --config names another file; a missing one is an error.
    let elsewhere = try CLI.temporaryFolder("config-elsewhere").appendingPathComponent("scan.toml")
    try "disabled-rules = [\"stripe-live-key\"]\n".write(to: elsewhere, atomically: true, encoding: .utf8)
    let viaFlag = try repo.scan(["--config", elsewhere.path])
    XCTAssertTrue(viaFlag.findings.contains { $0["rule"] as? String == "django-secret-key" }, "the root file is not read")
    XCTAssertFalse(viaFlag.findings.contains { $0["rule"] as? String == "stripe-live-key" })
    XCTAssertEqual(try CLI.djsec(["scan", repo.root.path, "--config", elsewhere.path + ".missing"]).status, 2)
  }

  /// A mistake in the file stops the scan with one line naming the file and line.
  func testAMistakeNamesItsLineAndStopsTheScan() throws {
    let repo = try GitFixture("config-errors")
    try repo.commit("x", files: ["a.txt": "a\n"])
    let cases: [(String, String)] = [
      ("fail-on = \"high\"\nfial-on = \"low\"\n", "line 2: .djsec.toml has no setting fial-on"),
      ("fail-on = \"severe\"\n", "line 1: fail-on = \"severe\" is not a severity"),
      ("disabled-rules = \"django-secret-key\"\n", "line 1: disabled-rules in .djsec.toml must be an array of strings"),
      ("disabled-rules = [\"no-such-rule\"]\n", "line 1: no-such-rule is not a rule id"),
      ("\n\n[[rules]]\nid = \"x\"\nregex = '''(unclosed'''\n", "line 3: rule x cannot compile"),
      ("[[rules]]\nid = \"x\"\n", "rule x needs a regex"),
      ("[[rules]]\nid = \"y\"\nregex = '''a\\Kb'''\n", "rule y cannot compile"),
      ("[allow]\npaths = ['''(''']\n", "does not compile"),
      ("[allow]\n", "allows nothing"),
      ("a = 1\na = 2\n", "line 2 is not valid TOML: a is defined twice"),
      ("[extend]\npath = \"missing.toml\"\n", "cannot read configuration file"),
    ]
    for (text, expected) in cases {
      try repo.write(".djsec.toml", text)
      let r = try CLI.djsec(["scan", repo.root.path])
      XCTAssertEqual(r.status, 2, "\(text): \(r.stderr)")
      XCTAssertTrue(r.stderr.hasPrefix("djsec: error: "), r.stderr)
      XCTAssertTrue(r.stderr.contains(expected), "\(expected) not in: \(r.stderr)")
      XCTAssertEqual(r.stdout, "")
    }
  }

  /// A gitleaks rule file loads as gitleaks users wrote it: rules with
  /// secretGroup and keywords, rule and global allow lists, [extend]; a rule
  /// that cannot compile is named in a warning; `.gitleaksignore` is read.
  func testAGitleaksFileAndGitleaksIgnoreLoadUnchanged() throws {
    let repo = try GitFixture("config-gitleaks")
    let corp = token("corp_", hex: 24)
    let reviewed = token("corp_", hex: 24)
    let onAllowedLine = token("corp_", hex: 24)
    let secondFile = token("corp_", hex: 24)
    let commit = try repo.commit(
      "app",
      files: [
        "svc/a.py": "CORP = \"\(corp)\"\n",
        "svc/b.py": "X = 1\nCORP = \"\(reviewed)\"\n",
        "svc/c.py": "CORP = \"\(onAllowedLine)\"  # reviewed-fixture\n",
        "vendor/d.py": "CORP = \"\(secondFile)\"\n",
      ])
    let gitleaks = """
      title = "corp gitleaks config"

      [extend]
      useDefault = true
      disabledRules = ["generic-api-key"]

      [[rules]]
      id = "corp-token"
      description = "Corp service token"
      regex = '''(?i)\\b(corp_[0-9a-f]{24})\\b'''
      secretGroup = 1
      entropy = 2.5
      keywords = ["corp_"]
      tags = ["corp"]

      [[rules.allowlists]]
      regexTarget = "line"
      regexes = ['''reviewed-fixture''']

      [[rules]]
      id = "go-only"
      regex = '''(?<!x)\\'''

      [[rules]]
      id = "pcre-only"
      regex = '''keep\\Kthis'''

      [[allowlists]]
      description = "vendored code"
      paths = ['''^vendor/''']
      """
    try repo.write("gitleaks.toml", gitleaks)
    try repo.write(".gitleaksignore", "# reviewed in PR 12\n\(commit):svc/b.py:corp-token:2\n")
    let r = try repo.scan(["--gitleaks-config", repo.root.appendingPathComponent("gitleaks.toml").path])
    let found = r.findings.filter { $0["rule"] as? String == "corp-token" }
    XCTAssertEqual(found.map { $0["path"] as? String }, ["svc/a.py"], r.stderr)
    XCTAssertEqual(found.first?["secret"] as? String, corp, "secretGroup 1")
    XCTAssertTrue(r.stderr.contains("gitleaks rule go-only cannot compile and is skipped"), r.stderr)
    XCTAssertTrue(r.stderr.contains("gitleaks rule pcre-only cannot compile and is skipped"), "Hyperscan refuses \\K: \(r.stderr)")
    XCTAssertEqual(r.status, 1)

    // The same file through [extend] path in .djsec.toml.
    try repo.write(".djsec.toml", "[extend]\npath = \"gitleaks.toml\"\n")
    let extended = try repo.scan()
    XCTAssertEqual(extended.findings.filter { $0["rule"] as? String == "corp-token" }.map { $0["path"] as? String }, ["svc/a.py"])

    // A .gitleaksignore line that is not a fingerprint is an error naming it.
    try repo.write(".gitleaksignore", "svc/b.py\n")
    let bad = try CLI.djsec(["scan", repo.root.path])
    XCTAssertEqual(bad.status, 2)
    XCTAssertTrue(bad.stderr.contains(".gitleaksignore line 1 is not a gitleaks fingerprint"), bad.stderr)
  }
}
