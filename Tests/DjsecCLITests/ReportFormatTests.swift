import DjsecTestSupport
import Foundation
import XCTest

/// The JUnit and CSV reports read back by standard parsers (Python's
/// xml.etree and csv), empty and with findings, including a path no
/// spreadsheet or XML reader should choke on; `--format`'s help, error and
/// shell completion list every format.
final class ReportFormatTests: XCTestCase {
  private let reader = #"""
    import csv, io, json, sys
    import xml.etree.ElementTree as ET
    kind, data = sys.argv[1], sys.stdin.read()
    if kind == "junit":
        root = ET.fromstring(data.encode())
        suite = root.find("testsuite")
        cases = [{"name": c.get("name"), "classname": c.get("classname"),
                  "failure": c.find("failure").get("type") if c.find("failure") is not None else None,
                  "text": c.find("failure").text if c.find("failure") is not None else ""}
                 for c in suite.findall("testcase")]
        print(json.dumps({"tests": suite.get("tests"), "failures": suite.get("failures"), "cases": cases}))
    else:
        rows = list(csv.DictReader(io.StringIO(data, newline="")))
        print(json.dumps(rows))
    """#

  private func parse(_ kind: String, _ report: String) throws -> Any {
    let r = try CLI.run(try CLI.python(), ["-c", reader, kind], stdin: report)
    XCTAssertEqual(r.status, 0, r.stderr)
    return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
  }

  func testJUnitAndCSVReadBackEmptyAndWithFindings() throws {
    let repo = try GitFixture("formats")
    try repo.commit("clean", files: ["README.md": "hi\n"])
    let emptyJUnit = try XCTUnwrap(
      try parse("junit", try CLI.djsec(["scan", repo.root.path, "--format", "junit"]).stdout) as? [String: Any])
    XCTAssertEqual(emptyJUnit["failures"] as? String, "0")
    XCTAssertEqual((emptyJUnit["cases"] as? [Any])?.count, 1)
    let emptyCSV = try XCTUnwrap(try parse("csv", try CLI.djsec(["scan", repo.root.path, "--format", "csv"]).stdout) as? [Any])
    XCTAssertEqual(emptyCSV.count, 0)

    let key = SecretGenerator.make("django_key")!
    // A path a spreadsheet would run as a formula, with XML's markup characters
    // in it (a double quote would put it in git's quoted form, which starts with `"`).
    let path = "=cmd|' & <x>/settings.py"
    try repo.commit("leak", files: [path: "SECRET_KEY = '\(key)'\n"])
    let junit = try CLI.djsec(["scan", repo.root.path, "--format", "junit"])
    XCTAssertEqual(junit.status, 1)
    XCTAssertFalse(junit.stdout.contains(key), "redacted by default")
    let doc = try XCTUnwrap(try parse("junit", junit.stdout) as? [String: Any])
    XCTAssertEqual(doc["failures"] as? String, "1")
    let cases = try XCTUnwrap(doc["cases"] as? [[String: Any]])
    XCTAssertEqual(cases.first?["classname"] as? String, path)
    XCTAssertEqual(cases.first?["failure"] as? String, "critical")
    XCTAssertTrue((cases.first?["text"] as? String)?.contains("REDACTED (id ") ?? false)

    let file = repo.root.appendingPathComponent("report.xml")
    let toFile = try CLI.djsec(["scan", repo.root.path, "--format", "junit", "--report", file.path])
    XCTAssertEqual(toFile.status, 1)
    XCTAssertEqual(toFile.stdout, "")
    XCTAssertTrue(toFile.stderr.contains("1 leak found, 1 at or above medium; junit report written to \(file.path)"), toFile.stderr)
    XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), junit.stdout)

    let csv = try CLI.djsec(["scan", repo.root.path, "--format", "csv", "--show-secrets"])
    XCTAssertEqual(csv.status, 1)
    let rows = try XCTUnwrap(try parse("csv", csv.stdout) as? [[String: String]])
    XCTAssertEqual(rows.count, 1)
    XCTAssertEqual(rows.first?["rule"], "django-secret-key")
    XCTAssertEqual(rows.first?["path"], "'" + path, "a formula-looking cell is prefixed with an apostrophe")
    // A Django key may itself start with "=", "+", "-" or "@": then it too is defused.
    let expected = ["=", "+", "-", "@"].contains(where: { key.hasPrefix($0) }) ? "'" + key : key
    XCTAssertTrue(rows.first?["secret"] == expected, "the secret cell (value not printed)")
    XCTAssertEqual(rows.first?["id"]?.count, 32)
  }

  func testFormatHelpAndErrorsListEveryFormat() throws {
    let help = try CLI.djsec(["scan", "--help"])
    let completion = try CLI.djsec(["--generate-completion-script", "zsh"])
    XCTAssertTrue(completion.stdout.contains("('text' 'json' 'sarif' 'junit' 'csv' 'gitlab')"), "zsh completes --format from the list")
    let bad = try CLI.djsec(["scan", ".", "--format", "xml"])
    XCTAssertEqual(bad.status, 2)
    for name in ["text", "json", "sarif", "junit", "csv", "gitlab"] {
      XCTAssertTrue(help.stdout.contains(name), "help lacks \(name)")
      XCTAssertTrue(bad.stderr.contains(name), "error lacks \(name): \(bad.stderr)")
    }
  }
}
