import Foundation
import XCTest

/// Error messages quote bytes from committed files (a store's version line, a
/// .pub file's label). Whoever wrote those files must not be able to erase,
/// recolour or reorder what djsec prints: every control character reaches the
/// terminal as `\u{..}` text.
final class DiagnosticsEscapeTests: XCTestCase {
  private var repo: GitFixture!
  private var root: URL { repo.root }

  override func setUpWithError() throws {
    repo = try GitFixture("escape")
    try repo.write("manage.py", "# a Django project\n")
    XCTAssertEqual(try CLI.djsec(["keys", "new", "--name", "alice"], in: root).status, 0)
    let made = try CLI.djsec(["secret", "set", "TOKEN", "--stdin"], in: root, stdin: "t")
    XCTAssertEqual(made.status, 0, made.stderr)
  }

  override func tearDownWithError() throws { repo = nil }

  /// Erase the line, go to column 1, print a fake verdict in green, hide the
  /// rest; a right-to-left override and a line separator for good measure.
  private let attack = "\u{1B}[2K\u{1B}[1G\u{1B}[32mOK:verified\u{202E}gnp.exe\u{2028}\u{9B}31m\u{1B}[8m"

  /// The characters a terminal acts on or that reorder text, none of which
  /// may reach it from a message (the line feed ends each message).
  private func controls(in text: String) -> [String] {
    text.unicodeScalars.filter { s in
      let v = s.value
      return (v < 0x20 && v != 0x0A) || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
        || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }.map { String(format: "U+%04X", $0.value) }
  }

  private func assertEscaped(_ r: Run, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(r.status, 2, r.stderr, file: file, line: line)
    XCTAssertEqual(controls(in: r.stderr), [], file: file, line: line)
    XCTAssertTrue(r.stderr.hasPrefix("djsec: error: "), r.stderr, file: file, line: line)
    XCTAssertTrue(r.stderr.contains(#"\u{1B}[2K\u{1B}[1G"#), r.stderr, file: file, line: line)
    XCTAssertTrue(r.stderr.contains(#"\u{202E}gnp.exe\u{2028}\u{9B}31m"#), r.stderr, file: file, line: line)
  }

  func testAStoreVersionLineCannotDriveTheTerminal() throws {
    try "# djsec\ndjsec-store: 2\(attack)\n".write(to: root.appendingPathComponent("evil.djsec"), atomically: true, encoding: .utf8)
    assertEscaped(try CLI.djsec(["secret", "list", "--store", "evil.djsec"], in: root))
  }

  func testAPublicKeyLabelCannotDriveTheTerminal() throws {
    let other = try GitFixture("escape-other")
    XCTAssertEqual(try CLI.djsec(["keys", "new", "--name", "bob"], in: other.root).status, 0)
    let pub = other.root.appendingPathComponent("keys/bob.pub")
    let identity = try String(contentsOf: pub, encoding: .utf8).split(separator: " ")[0]
    try "\(identity) \(attack)bob\n".write(to: pub, atomically: true, encoding: .utf8)
    assertEscaped(try CLI.djsec(["recipients", "add", pub.path], in: root))
  }
}
