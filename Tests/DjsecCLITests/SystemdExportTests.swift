import Foundation
import XCTest

/// `djsec export --format systemd`: a file for systemd's `EnvironmentFile=`,
/// read back by the rules systemd.exec(5) documents. No real systemd can load
/// an EnvironmentFile= here (that needs systemd as PID 1), so the file is read
/// by Tests/consumers/systemd_environment_file.py: an independent reader
/// written from the man page, and systemd's own parser as the environment.d
/// generator runs it (which also expands `$`, so values with `$` are left to
/// the reader). What the format cannot carry is refused by name.
final class SystemdExportTests: XCTestCase {
  private var work: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var python: URL!
  private let consumer = CLI.packageRoot.appendingPathComponent("Tests/consumers/systemd_environment_file.py")

  /// What can go wrong in an environment file: quotes of both kinds, backslashes (one at the end, one
  /// before a line break), `$` and backquotes, comment characters at the start of a continued line, a
  /// line that looks like another assignment, blanks and carriage returns at either end, tabs,
  /// non-ASCII and a quote carrying a combining mark.
  private let values = [
    "QUOTES": "it's \"quoted\" ''", "BACKSLASH": "a\\b\\\\c\\", "BEFORE_BREAK": "end\\\nnext", "DOLLAR": "$HOME ${HOME} $(id) `id`",
    "COMMENTS": "#one\n;two\n  # three", "INJECTION": "x\nINJECTED=1\n", "BLANKS": " \t leading and trailing \t ",
    "RETURNS": "\r\nwindows\r\n", "UNICODE": "ünïcødé ✓ \u{2028}", "COMBINING": "\"\u{301} \\\u{301}", "EQUALS": "=a=b==",
  ]

  override func setUpWithError() throws {
    python = try CLI.python()
    work = try CLI.startProject("systemd-export", python: python)
    try CLI.expect(["keys", "new"], in: project)
    // `secret set --stdin` drops one final line break (and a carriage return before it): add one.
    for (name, value) in values { try CLI.expect(["secret", "set", name, "--stdin"], in: project, stdin: value + "\n") }
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  private func exported(_ command: [String] = ["export"]) throws -> URL {
    let r = try CLI.expect(command + ["--format", "systemd"], in: project)
    let url = work.appendingPathComponent("secrets.env")
    try Data(r.stdout.utf8).write(to: url)
    return url
  }

  private func consume(_ mode: String, _ file: URL) throws -> Run {
    try CLI.run(python, [consumer.path, mode, file.path])
  }

  private func json(_ r: Run) throws -> [String: String] {
    try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: String] ?? [:]
  }

  func testTheManPageRulesReadEveryValueBack() throws {
    let file = try exported()
    let read = try consume("read", file)
    XCTAssertEqual(read.status, 0, read.stderr)
    XCTAssertEqual(try json(read), values)
    // `djsec secret export` writes the same file.
    let again = try CLI.expect(["secret", "export", "--format", "systemd"], in: project)
    XCTAssertEqual(again.stdout, try String(contentsOf: file, encoding: .utf8))
  }

  func testSystemdsOwnParserAgrees() throws {
    let file = try exported()
    let parsed = try consume("systemd", file)
    if parsed.status == 77 {
      if ProcessInfo.processInfo.environment["DJSEC_REQUIRE_DJANGO"] == "1" { XCTFail("\(parsed.stderr): make test installs it") }
      throw XCTSkip(parsed.stderr)
    }
    XCTAssertEqual(parsed.status, 0, parsed.stderr)
    let got = try json(parsed)
    XCTAssertEqual(Set(got.keys), Set(values.keys), "one variable per secret, nothing injected")
    // environment.d expands `$NAME`; EnvironmentFile= does not: those values are the reader's to check.
    XCTAssertEqual(got.filter { values[$0.key]?.contains("$") == false }, values.filter { !$0.value.contains("$") })
  }

  func testAPOSIXShellReadsTheSameValues() throws {
    let file = try exported()
    let dump = "import json, os; print(json.dumps(dict(os.environ)))"
    let sourced = try CLI.run(
      URL(fileURLWithPath: "/bin/sh"), ["-c", "set -a; . \"$1\"; exec \"$2\" -c \"$3\"", "sh", file.path, python.path, dump])
    XCTAssertEqual(sourced.status, 0, sourced.stderr)
    XCTAssertEqual(try json(sourced).filter { values.keys.contains($0.key) }, values)
  }

  func testWhatSystemdRefusesIsRefusedByName() throws {
    // Built at run time: Swift refuses some noncharacters in a literal.
    func scalar(_ v: UInt32) -> String { String(Character(Unicode.Scalar(v)!)) }
    let refused = [
      "NONCHARACTER": "a\(scalar(0xFFFE))b", "BOM": "\(scalar(0xFEFF))text", "ARABIC_NONCHARACTER": "x\(scalar(0xFDD0))",
      "PLANE_END": scalar(0x10FFFF),
    ]
    for (name, value) in refused {
      try CLI.expect(["secret", "set", name, "--stdin"], in: project, stdin: value)
      let r = try CLI.expect(["export", "--format", "systemd"], in: project, status: 2)
      XCTAssertEqual(r.stdout, "")
      XCTAssertTrue(
        r.stderr.hasPrefix("djsec: error: \(name) holds a Unicode noncharacter or a byte order mark (U+FEFF), which the systemd format"),
        r.stderr)
      XCTAssertTrue(r.stderr.contains("djsec: hint: hand it over as a file (LoadCredential="), r.stderr)
      XCTAssertFalse(r.stderr.unicodeScalars.contains { $0.value >= 0xFDD0 })
      try CLI.expect(["secret", "rm", name], in: project)
    }
    // The reader refuses what djsec refused, so the two agree on the rule.
    let bad = work.appendingPathComponent("bad.env")
    try Data("BOM=\"\u{FEFF}\"\n".utf8).write(to: bad)
    XCTAssertEqual(try consume("read", bad).status, 1)
    try CLI.expect(["secret", "set", "NUL", "--stdin"], in: project, stdin: "a\u{0}b")
    let nul = try CLI.expect(["export", "--format", "systemd"], in: project, status: 2)
    XCTAssertTrue(nul.stderr.hasPrefix("djsec: error: NUL holds a NUL byte, which the systemd format cannot carry"), nul.stderr)
  }

  func testExportIsATopLevelCommandToo() throws {
    let top = try CLI.expect(["export", "--format", "json"], in: project)
    let nested = try CLI.expect(["secret", "export", "--format", "json"], in: project)
    XCTAssertEqual(top.stdout, nested.stdout)
    let help = try CLI.expect(["help"], in: project)
    XCTAssertTrue(help.stdout.contains("\n  export "), help.stdout)
    let formats = try CLI.expect(["export", "--help"], in: project)
    XCTAssertTrue(formats.stdout.contains("systemd"), formats.stdout)
  }
}
