import DjsecTestSupport
import Foundation
import XCTest

/// `--format gitlab` is GitLab's secret-detection report
/// (gl-secret-detection-report.json): read back with Python's json and checked
/// field by field against the documented shape, with a finding and empty.
final class GitLabReportTests: XCTestCase {
  /// Asserts the documented fields and their types; prints what the Swift side checks further.
  private let checker = #"""
    import json, re, sys
    doc = json.load(sys.stdin)
    def text(v, where):
        assert isinstance(v, str) and v, f"{where} must be a non-empty string: {v!r}"
    def party(v, where):
        assert isinstance(v, dict), f"{where} must be an object"
        for k in ("id", "name", "version"):
            text(v.get(k), f"{where}.{k}")
        text(v.get("vendor", {}).get("name"), f"{where}.vendor.name")
    assert re.fullmatch(r"\d+\.\d+\.\d+", doc["version"]), doc["version"]
    scan = doc["scan"]
    party(scan["scanner"], "scan.scanner")
    party(scan["analyzer"], "scan.analyzer")
    assert scan["type"] == "secret_detection", scan["type"]
    assert scan["status"] in ("success", "failure"), scan["status"]
    for k in ("start_time", "end_time"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", scan[k]), f"scan.{k}: {scan[k]!r}"
    vulns = doc["vulnerabilities"]
    assert isinstance(vulns, list)
    assert len({v["id"] for v in vulns}) == len(vulns), "ids are unique"
    for v in vulns:
        text(v["id"], "id")
        assert v["category"] == "secret_detection", v["category"]
        text(v["name"], "name")
        text(v["description"], "description")
        assert v["severity"] in ("Critical", "High", "Medium", "Low", "Info", "Unknown"), v["severity"]
        assert v["confidence"] in ("Ignore", "Unknown", "Experimental", "Low", "Medium", "High", "Confirmed"), v["confidence"]
        text(v["scanner"]["id"], "scanner.id")
        text(v["scanner"]["name"], "scanner.name")
        loc = v["location"]
        text(loc["file"], "location.file")
        assert isinstance(loc["start_line"], int) and loc["start_line"] >= 1, loc["start_line"]
        text(loc["commit"]["sha"], "location.commit.sha")
        ids = v["identifiers"]
        assert isinstance(ids, list) and 1 <= len(ids) <= 20, ids
        for i in ids:
            for k in ("type", "name", "value"):
                text(i.get(k), f"identifiers[].{k}")
        if "raw_source_code_extract" in v:
            assert isinstance(v["raw_source_code_extract"], str)
    print(json.dumps(doc))
    """#

  private func check(_ report: Run, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    let r = try CLI.run(try CLI.python(), ["-c", checker], stdin: report.stdout)
    XCTAssertEqual(r.status, 0, "not a valid report: \(r.stderr)", file: file, line: line)
    return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], file: file, line: line)
  }

  func testReportHasTheDocumentedFieldsEmptyAndWithAFinding() throws {
    let repo = try GitFixture("gitlab")
    try repo.commit("clean", files: ["README.md": "hi\n"])
    let empty = try CLI.djsec(["scan", repo.root.path, "--format", "gitlab"])
    XCTAssertEqual(empty.status, 0, empty.stderr)
    let emptyDoc = try check(empty)
    XCTAssertEqual((emptyDoc["vulnerabilities"] as? [Any])?.count, 0)
    XCTAssertEqual((emptyDoc["scan"] as? [String: Any])?["status"] as? String, "success")

    let key = SecretGenerator.make("django_key")!
    let added = try repo.commit("leak", files: ["mysite/settings.py": "DEBUG = False\nSECRET_KEY = '\(key)'\n"])
    let full = try CLI.djsec(["scan", repo.root.path, "--format", "gitlab"])
    XCTAssertEqual(full.status, 1, full.stderr)
    XCTAssertFalse(full.stdout.contains(key), "redacted by default")
    let doc = try check(full)
    let vulns = try XCTUnwrap(doc["vulnerabilities"] as? [[String: Any]])
    XCTAssertEqual(vulns.count, 1)
    let v = try XCTUnwrap(vulns.first)
    XCTAssertNil(v["raw_source_code_extract"], "only with --show-secrets")
    XCTAssertEqual(v["severity"] as? String, "Critical")
    let location = try XCTUnwrap(v["location"] as? [String: Any])
    XCTAssertEqual(location["file"] as? String, "mysite/settings.py")
    XCTAssertEqual(location["start_line"] as? Int, 2)
    let commit = try XCTUnwrap(location["commit"] as? [String: Any])
    XCTAssertEqual(commit["sha"] as? String, added)
    XCTAssertEqual(commit["author"] as? String, "Dev <dev@example.invalid>")
    XCTAssertNotNil(commit["date"] as? String)
    let identifiers = try XCTUnwrap(v["identifiers"] as? [[String: Any]])
    XCTAssertEqual(identifiers.first?["value"] as? String, "django-secret-key", "the rule is the primary identifier")

    let shown = try check(try CLI.djsec(["scan", repo.root.path, "--format", "gitlab", "--show-secrets"]))
    let extract = (shown["vulnerabilities"] as? [[String: Any]])?.first?["raw_source_code_extract"] as? String
    XCTAssertTrue(extract == key, "the secret is shown only when asked (value not printed)")
  }

  func testFilesOffGitGetAPlaceholderCommit() throws {
    let folder = try CLI.temporaryFolder("gitlab-nogit")
    defer { try? FileManager.default.removeItem(at: folder) }
    let key = SecretGenerator.make("django_key")!
    try "DJANGO_SECRET_KEY=\(key)\n".write(to: folder.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
    let r = try CLI.djsec(["scan", "--no-git", folder.path, "--format", "gitlab"])
    XCTAssertEqual(r.status, 1, r.stderr)
    let doc = try check(r)
    let location = (doc["vulnerabilities"] as? [[String: Any]])?.first?["location"] as? [String: Any]
    XCTAssertEqual((location?["commit"] as? [String: Any])?["sha"] as? String, "0000000", "the schema requires a commit sha")
  }
}
