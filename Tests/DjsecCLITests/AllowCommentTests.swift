import DjsecTestSupport
import Foundation
import XCTest

/// The allow comments of djsec, gitleaks and detect-secrets, as a team
/// switching scanners has them in its files: each form keeps its value
/// quiet, and the same value without it is reported (so each case can fail).
final class AllowCommentTests: XCTestCase {
  private func key() -> String { SecretGenerator.make("django_key")! }

  func testEachAllowCommentFormKeepsItsValueQuiet() throws {
    var generator = SecretGenerator()
    let pem = try generator.fill("{{pem_ec}}")
    let k = (0..<7).map { _ in key() }
    // (file content with the value, the value, quiet?)
    let cases: [(String, String, Bool)] = [
      ("SECRET_KEY = '\(k[0])'  # djsec:allow\n", k[0], true),
      ("SECRET_KEY = '\(k[1])'  # gitleaks:allow\n", k[1], true),
      ("SECRET_KEY = '\(k[2])'  # pragma: allowlist secret\n", k[2], true),
      ("# pragma: allowlist nextline secret\nSECRET_KEY = '\(k[3])'\n", k[3], true),
      ("# gitleaks:allow (the test CA's key)\nTEST_KEY = \"\"\"\(pem)\"\"\"\n", pem, true),
      // The line-before form of a same-line comment is for multi-line values only.
      ("# gitleaks:allow\nSECRET_KEY = '\(k[4])'\n", k[4], false),
      ("SECRET_KEY = '\(k[5])'\n", k[5], false),
      ("TEST_KEY = \"\"\"\(pem)\"\"\"\n", pem, false),
      ("SECRET_KEY = '\(k[6])'  # allowlist\n", k[6], false),
    ]
    let repo = try GitFixture("allow-comments")
    var files: [String: String] = [:]
    for (i, c) in cases.enumerated() { files["app\(i)/settings.py"] = c.0 }
    try repo.commit("fixtures", files: files)
    let (_, findings, stderr) = try repo.scan()
    for (i, c) in cases.enumerated() {
      let reported = findings.contains {
        $0["path"] as? String == "app\(i)/settings.py" && ($0["secret"] as? String)?.contains(c.1.prefix(40)) == true
      }
      XCTAssertEqual(reported, !c.2, "case \(i): \(c.0.prefix(60))… \(stderr)")
    }
  }
}
