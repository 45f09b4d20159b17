import Foundation
import XCTest

/// `djsec check`'s code.flake8 with the real flake8 of the test virtualenv,
/// on a startproject given the project's own flake8 configuration.
final class CodeCheckEndToEndTests: XCTestCase {
  private var work: URL!
  private var project: URL { work.appendingPathComponent("demo") }

  override func setUpWithError() throws {
    work = try CLI.startProject("code", python: try CLI.python())
    // startproject's settings.py has lines of 80 to 91 characters: the
    // project's own limit, read by flake8 from its configuration, allows them.
    try write(".flake8", "[flake8]\nmax-line-length = 100\n")
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

  private func write(_ path: String, _ text: String) throws {
    let file = project.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: file, atomically: true, encoding: .utf8)
  }

  private var flake8: URL { get throws { try CLI.python().deletingLastPathComponent().appendingPathComponent("flake8") } }

  /// Two unused imports (F401) and one line of 120 characters (E501).
  private let violations = """
    import os
    import sys


    def view():
        return "\(String(repeating: "x", count: 107))"

    """

  func testCountsEachCodeWithItsFirstLocation() throws {
    try write("demo/views.py", violations)
    // Not the project's code: flake8 must not read them.
    try write("node_modules/pkg/bad.py", "import os\n")
    try write("venv/lib/bad.py", "import os\n")
    // The project's own exclusions still hold beside djsec's.
    try write(".flake8", "[flake8]\nmax-line-length = 100\nextend-exclude =\n    legacy\n")
    try write("legacy/old.py", "import os\n")
    let r = try CheckReport.run(project, ["--flake8", try flake8.path])
    let found = r.fired("code.flake8")
    XCTAssertEqual(found.count, 2, "\(found)")
    let f401 = try XCTUnwrap(found.first { ($0["message"] as? String ?? "").contains("F401") }, "\(found)")
    XCTAssertTrue((f401["message"] as? String ?? "").contains("2 times"), "\(f401)")
    XCTAssertEqual(f401["severity"] as? String, "medium")
    XCTAssertEqual(f401["path"] as? String, "demo/views.py")
    XCTAssertEqual(f401["line"] as? Int, 1)
    let e501 = try XCTUnwrap(found.first { ($0["message"] as? String ?? "").contains("E501") }, "\(found)")
    XCTAssertTrue((e501["message"] as? String ?? "").contains("1 time"), "\(e501)")
    XCTAssertEqual(e501["severity"] as? String, "low")
    XCTAssertEqual(e501["line"] as? Int, 6)
  }

  /// flake8 found in the project's virtualenv (a `.venv` beside manage.py),
  /// whose own site-packages are not the project's code.
  func testFindsFlake8InTheVirtualenvAndKeepsQuietOnCleanCode() throws {
    let venv = try flake8.deletingLastPathComponent().deletingLastPathComponent()
    try FileManager.default.createSymbolicLink(at: project.appendingPathComponent(".venv"), withDestinationURL: venv)
    let r = try CheckReport.run(project)
    XCTAssertEqual(r.checks["code.flake8"], "passed", "\(r.fired("code.flake8"))")
  }

  func testNotApplicableWithoutFlake8() throws {
    // No virtualenv beside manage.py and a PATH without flake8.
    let r = try CheckReport.run(project, environment: ["PATH": "/usr/bin:/bin", "VIRTUAL_ENV": ""])
    XCTAssertEqual(r.checks["code.flake8"], "not-applicable")
    XCTAssertTrue(r.reasons["code.flake8"]?.contains("flake8") ?? false, "\(r.reasons)")
  }
}
