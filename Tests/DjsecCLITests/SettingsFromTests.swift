import DjsecTestSupport
import Foundation
import XCTest

/// `djsec scan --settings-from REV`: a pull request that adds a key cannot
/// also add the allow list, ignore entry or baseline that silences it; the
/// base's own settings still apply.
final class SettingsFromTests: XCTestCase {
  struct Scan {
    var status: Int32
    var findings: [[String: Any]]
    var stderr: String
  }

  func scan(_ repo: GitFixture, _ extra: [String]) throws -> Scan {
    let r = try CLI.run(CLI.binary, ["scan", "--format", "json"] + extra, in: repo.root)
    let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    return Scan(status: r.status, findings: doc?["findings"] as? [[String: Any]] ?? [], stderr: r.stderr)
  }

  func testAPullRequestCannotSilenceItsOwnLeakButTheBaseSettingsStillApply() throws {
    let repo = try GitFixture("settings-from")
    // The base already allows its fixtures, reviewed and merged.
    let fixture = SecretGenerator.make("stripe_live")!
    try repo.commit(
      "base",
      files: [
        ".djsec.toml": "[[allow]]\npaths = ['''^fixtures/''']\n",
        "fixtures/payments.json": "{\"key\": \"\(fixture)\"}\n",
      ])
    let base = try repo.git("rev-parse", "HEAD")
    try repo.git("checkout", "-q", "-b", "feature")
    let leak = SecretGenerator.make("django_key")!
    let other = SecretGenerator.make("github_pat")!
    try repo.commit("leak", files: ["mysite/prod.py": "SECRET_KEY = '\(leak)'\nGITHUB = '\(other)'\n"])
    let findings = try scan(repo, ["--range", "\(base)..HEAD"])
    XCTAssertEqual(findings.status, 1)
    let hash = try XCTUnwrap(findings.findings.first { $0["rule"] as? String != "django-secret-key" }?["secretHash"] as? String)
    // The same pull request silences both: an allow list, an ignore entry and a baseline.
    try repo.commit(
      "silence",
      files: [
        ".djsec.toml": "[[allow]]\npaths = ['''^fixtures/''', '''^mysite/prod\\.py$''']\n",
        ".djsecignore": "\(hash)\n",
      ])
    try CLI.expect(["scan", "--write-baseline", "pr-baseline.json"], in: repo.root)
    try repo.commit("baseline", files: [:])
    let silenced = try scan(repo, ["--range", "\(base)..HEAD", "--baseline", "pr-baseline.json"])
    XCTAssertEqual(silenced.status, 0, "without --settings-from the checkout's files are read: \(silenced.stderr)")
    XCTAssertEqual(silenced.findings.count, 0)

    let trusted = try scan(repo, ["--range", "\(base)..HEAD", "--baseline", "pr-baseline.json", "--settings-from", base])
    XCTAssertEqual(trusted.status, 1, trusted.stderr)
    XCTAssertEqual(Set(trusted.findings.compactMap { $0["rule"] as? String }).count, 2, "both leaks: \(trusted.findings)")
    XCTAssertTrue(trusted.stderr.contains(".djsec.toml differs from \(base)'s, which is used"), trusted.stderr)
    XCTAssertTrue(trusted.stderr.contains(".djsecignore differs from \(base)'s"), trusted.stderr)
    XCTAssertTrue(trusted.stderr.contains("--baseline pr-baseline.json is not in \(base), so it is not used"), trusted.stderr)
    XCTAssertFalse(trusted.stderr.contains(leak) || trusted.stderr.contains(other), "no secret in a warning")

    // The base's allow list still applies: its fixture is not reported on a whole-history scan.
    let history = try scan(repo, ["--settings-from", base])
    XCTAssertFalse(history.findings.contains { $0["path"] as? String == "fixtures/payments.json" }, "\(history.findings)")
    XCTAssertTrue(history.findings.contains { $0["path"] as? String == "mysite/prod.py" })

    let unknown = try CLI.run(CLI.binary, ["scan", "--settings-from", "no-such-branch"], in: repo.root)
    XCTAssertEqual(unknown.status, 2)
    XCTAssertTrue(unknown.stderr.contains("unknown revision no-such-branch"), unknown.stderr)
  }
}
