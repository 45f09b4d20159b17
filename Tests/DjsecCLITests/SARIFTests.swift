import DjsecTestSupport
import Foundation
import XCTest

/// The SARIF report validates against the OASIS SARIF 2.1.0 schema (read from
/// ../shared/schemas, never copied into the project), the empty report too.
final class SARIFTests: XCTestCase {
  func testReportsValidateAgainstTheSchema() throws {
    let python = try CLI.python()
    let schema = CLI.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/schemas/sarif-schema-2.1.0.json")
    guard FileManager.default.fileExists(atPath: schema.path) else {
      if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("no SARIF schema at \(schema.path)") }
      throw XCTSkip("no SARIF schema at \(schema.path)")
    }
    let repo = try GitFixture("sarif")
    try repo.commit("clean", files: ["README.md": "hi\n"])
    let empty = try CLI.djsec(["scan", repo.root.path, "--format", "sarif"])
    XCTAssertEqual(empty.status, 0)
    let key = SecretGenerator.make("django_key")!
    try repo.commit("leak", files: ["mysite/settings.py": "SECRET_KEY = '\(key)'\n"])
    let full = try CLI.djsec(["scan", repo.root.path, "--format", "sarif"])
    XCTAssertEqual(full.status, 1)
    for report in [empty.stdout, full.stdout] {
      let file = repo.root.appendingPathComponent("report.sarif")
      try report.write(to: file, atomically: true, encoding: .utf8)
      let check = try CLI.run(
        python,
        [
          "-c",
          "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))); print('ok')",
          file.path, schema.path,
        ])
      XCTAssertEqual(check.stdout, "ok\n", check.stderr)
    }
    let doc = try JSONSerialization.jsonObject(with: Data(full.stdout.utf8)) as? [String: Any]
    let results = ((doc?["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]]) ?? []
    XCTAssertEqual(results.first?["ruleId"] as? String, "django-secret-key")
  }
}
