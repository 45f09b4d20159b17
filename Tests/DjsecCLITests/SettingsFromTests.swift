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

    // A mistake in the base's file is named as git names it, not by a temporary copy.
    try repo.git("checkout", "-q", "main")
    try repo.commit("typo", files: [".djsec.toml": "fail-on = \"sometimes\"\n"])
    let broken = try CLI.run(CLI.binary, ["scan", "--settings-from", "main"], in: repo.root)
    XCTAssertEqual(broken.status, 2, broken.stderr)
    XCTAssertTrue(broken.stderr.contains("main:.djsec.toml"), broken.stderr)
    XCTAssertFalse(broken.stderr.contains("djsec-settings-"), broken.stderr)

    let unknown = try CLI.run(CLI.binary, ["scan", "--settings-from", "no-such-branch"], in: repo.root)
    XCTAssertEqual(unknown.status, 2)
    XCTAssertTrue(unknown.stderr.contains("unknown revision no-such-branch"), unknown.stderr)
  }
}

extension SettingsFromTests {
  /// A key first committed at a path the rules skip (a lock file), then moved
  /// to settings.py: a range scan reads it, as a full scan does.
  func testARangeReadsABlobFirstCommittedAtAnIgnoredPath() throws {
    let repo = try GitFixture("range-ignored-first")
    try repo.commit("base", files: ["README.md": "hi\n"])
    let base = try repo.git("rev-parse", "HEAD")
    let key = SecretGenerator.make("django_key")!
    try repo.commit("lock", files: ["poetry.lock": "SECRET_KEY = '\(key)'\n"])
    try repo.git("mv", "poetry.lock", "settings.py")
    try repo.commit("settings")
    let range = try scan(repo, ["--range", "\(base)..HEAD", "--settings-from", base])
    XCTAssertEqual(range.status, 1, range.stderr)
    XCTAssertEqual(range.findings.map { $0["path"] as? String }, ["settings.py"])
  }

  /// A gitleaks file at the base extends another by a path from the
  /// repository's top (as gitleaks reads it); the pull request rewrites that
  /// other file, or swaps the named file for a link: the base's are read.
  func testGitleaksFilesAndLinksComeFromTheBase() throws {
    let repo = try GitFixture("settings-from-gitleaks")
    let rule = "[[rules]]\nid = \"acme-token\"\ndescription = \"Acme token\"\nregex = '''acme_[0-9a-f]{32}'''\n"
    try repo.commit(
      "base",
      files: [
        ".github/gitleaks.toml": "[extend]\npath = \".github/gitleaks-base.toml\"\n",
        ".github/gitleaks-base.toml": rule,
        "pyproject.toml": "[project]\nname = \"demo\"\n",
      ])
    let base = try repo.git("rev-parse", "HEAD")
    let token = "acme_" + SecretGenerator.make("uuid")!.replacingOccurrences(of: "-", with: "")
    try repo.commit(
      "token and a looser rule file",
      files: [
        "app/client.py": "TOKEN = '\(token)'\n", ".github/gitleaks-base.toml": rule + "[allowlist]\npaths = ['''.*''']\n",
      ])
    let args = ["--range", "\(base)..HEAD", "--gitleaks-config", ".github/gitleaks.toml"]
    XCTAssertEqual(try scan(repo, args).status, 0, "the checkout's allow list silences it")
    let trusted = try scan(repo, args + ["--settings-from", base])
    XCTAssertEqual(trusted.status, 1, trusted.stderr)
    XCTAssertEqual(trusted.findings.first?["rule"] as? String, "acme-token")
    XCTAssertTrue(trusted.stderr.contains(".github/gitleaks-base.toml differs from \(base)'s"), trusted.stderr)

    // The named file becomes a link to a harmless one the base has.
    try FileManager.default.removeItem(at: repo.root.appendingPathComponent(".github/gitleaks.toml"))
    try FileManager.default.createSymbolicLink(
      atPath: repo.root.appendingPathComponent(".github/gitleaks.toml").path, withDestinationPath: "../pyproject.toml")
    try repo.commit("link")
    let linked = try scan(repo, args + ["--settings-from", base])
    XCTAssertEqual(linked.status, 1, linked.stderr)
    XCTAssertEqual(linked.findings.first?["rule"] as? String, "acme-token")
  }
}
