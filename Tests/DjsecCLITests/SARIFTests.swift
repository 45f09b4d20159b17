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

  /// Severity and confidence reach every format: a provider's own format is
  /// high confidence, a value found by the generic rules low, and each format
  /// says which (JSON fields, SARIF result and rule properties, the text
  /// line's "(low confidence)").
  func testEveryFormatCarriesSeverityAndConfidence() throws {
    let repo = try GitFixture("confidence")
    var generator = SecretGenerator()
    let live = try generator.fill("{{stripe_live}}")
    let generic = try generator.fill("{{base62_32}}")
    try repo.commit(
      "leaks", files: ["payments/settings.py": "STRIPE_SECRET_KEY = '\(live)'\n", "deploy/.env": "PAYMENTS_SECRET=\(generic)\n"])

    let json = try CLI.djsec(["scan", repo.root.path, "--format", "json", "--show-secrets"])
    let findings = try XCTUnwrap(
      (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["findings"] as? [[String: Any]])
    let byRule = Dictionary(findings.map { ($0["rule"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    XCTAssertEqual(byRule["stripe-live-key"]?["confidence"] as? String, "high", "\(findings.map { $0["rule"] ?? "" })")
    XCTAssertEqual(byRule["stripe-live-key"]?["severity"] as? String, "critical")
    XCTAssertEqual(byRule["generic-secret-unquoted"]?["confidence"] as? String, "low", "\(findings.map { $0["rule"] ?? "" })")

    let sarif = try CLI.djsec(["scan", repo.root.path, "--format", "sarif"])
    let run = try XCTUnwrap(
      ((try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])?["runs"] as? [[String: Any]])?.first)
    let results = try XCTUnwrap(run["results"] as? [[String: Any]])
    let properties = Dictionary(
      results.map { ($0["ruleId"] as? String ?? "", $0["properties"] as? [String: Any] ?? [:]) }, uniquingKeysWith: { a, _ in a })
    XCTAssertEqual(properties["stripe-live-key"]?["confidence"] as? String, "high")
    XCTAssertEqual(properties["generic-secret-unquoted"]?["confidence"] as? String, "low")
    XCTAssertEqual(properties["generic-secret-unquoted"]?["severity"] as? String, byRule["generic-secret-unquoted"]?["severity"] as? String)
    let rules = ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]] ?? []
    let genericRule = rules.first { $0["id"] as? String == "generic-secret-unquoted" }
    XCTAssertEqual((genericRule?["properties"] as? [String: Any])?["confidence"] as? String, "low")

    let text = try CLI.djsec(["scan", repo.root.path])
    let lines = text.stdout.split(separator: "\n")
    XCTAssertTrue(lines.contains { $0.contains("generic-secret-unquoted") && $0.contains("(low confidence)") }, text.stdout)
    XCTAssertTrue(lines.contains { $0.contains("stripe-live-key") && !$0.contains("confidence)") }, text.stdout)
  }
}
