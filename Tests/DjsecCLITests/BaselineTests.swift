import DjsecTestSupport
import Foundation
import XCTest

/// A team adopting djsec on a history that already holds keys: the baseline
/// accepts what is there (ids only, never values), later scans fail only on
/// new secrets, and a known secret moved to another file or line stays known.
final class BaselineTests: XCTestCase {
  private func key() -> String { SecretGenerator.make("django_key")! }

  func testBaselineWrittenThenOnlyNewSecretsFail() throws {
    let repo = try GitFixture("baseline")
    let old = key()
    let older = key()
    try repo.commit("old", files: ["mysite/settings.py": "SECRET_KEY = '\(old)'\n", "docs/conf.py": "SECRET_KEY = '\(older)'\n"])
    let file = repo.root.appendingPathComponent(".djsec-baseline.json")
    let write = try CLI.djsec(["scan", repo.root.path, "--write-baseline", file.path])
    XCTAssertEqual(write.status, 0, write.stderr)
    XCTAssertTrue(write.stderr.contains("baseline of 2 findings written to \(file.path)"), write.stderr)
    let text = try String(contentsOf: file, encoding: .utf8)
    XCTAssertFalse(text.contains(old) || text.contains(older), "a baseline holds ids, never values")

    let again = try CLI.djsec(["scan", repo.root.path, "--baseline", file.path])
    XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
    XCTAssertTrue(again.stdout.hasPrefix("no leaks found"), again.stdout)

    // The old key moved to another file and line: still known. A new key: exactly one finding.
    let new = key()
    try repo.commit(
      "move and add",
      files: [
        "mysite/settings.py": "DEBUG = False\n", "config/base.py": "# moved\n\nSECRET_KEY = '\(old)'\n",
        "deploy/prod.py": "SECRET_KEY = '\(new)'\n",
      ])
    let (status, findings, _) = try repo.scan(["--baseline", file.path])
    XCTAssertEqual(status, 1)
    XCTAssertEqual(findings.compactMap { $0["secret"] as? String }, [new])
  }

  func testAFileThatIsNotABaselineIsRefusedBeforeTheScan() throws {
    let repo = try GitFixture("baseline-bad")
    try repo.commit("x", files: ["mysite/settings.py": "SECRET_KEY = '\(key())'\n"])
    let report = repo.root.appendingPathComponent("report.json")
    try CLI.djsec(["scan", repo.root.path, "--format", "json", "--report", report.path]).stdout.write(
      to: repo.root.appendingPathComponent("unused"), atomically: true, encoding: .utf8)
    for path in [report.path, repo.root.appendingPathComponent("missing.json").path] {
      let r = try CLI.djsec(["scan", repo.root.path, "--baseline", path])
      XCTAssertEqual(r.status, 2, r.stderr)
      XCTAssertTrue(r.stderr.hasPrefix("djsec: error: ") && r.stderr.contains(path), r.stderr)
      XCTAssertEqual(r.stdout, "")
    }
  }
}
